package api

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// limitListener caps the connections it has accepted and not yet seen
// closed. Over the cap it does not stop accepting (the kernel's backlog
// would hold the clients with no answer): it answers each extra
// connection 503 with a JSON error itself, on a goroutine of its own, and
// closes it.
type limitListener struct {
	net.Listener
	max    int64
	active atomic.Int64
	wg     sync.WaitGroup // the refusal goroutines
}

func newLimitListener(l net.Listener, max int) *limitListener {
	return &limitListener{Listener: l, max: int64(max)}
}

// refusal is the whole HTTP/1.1 response to a connection over the cap.
var refusal = func() string {
	body := `{"error":"too many API connections, try again later","code":503}`
	return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}()

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.active.Add(1) <= l.max {
			return &limitConn{Conn: c, l: l}, nil
		}
		l.active.Add(-1)
		l.wg.Go(func() {
			// Bounded: the write has a deadline and the socket closes.
			c.SetWriteDeadline(time.Now().Add(time.Second))
			c.Write([]byte(refusal))
			c.Close()
		})
	}
}

// Close stops accepting and waits for the refusals under way.
func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.wg.Wait()
	return err
}

type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.active.Add(-1) })
	return err
}
