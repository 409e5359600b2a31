package interop

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers shared by the interop tests that run programs: building the
// ledgernet program, running external processes on loopback and stopping
// them by PID.

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
	buildDir  string
)

// TestMain removes the ledgernet program built for the tests (about 20 MB)
// when they end, pass or fail.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// ledgernetBin builds cmd/ledgernet from the main module (once per test
// binary) and returns its path.
func ledgernetBin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "ledgernet-interop-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "ledgernet")
		cmd := exec.Command("go", "build", "-o", buildBin, "./cmd/ledgernet")
		cmd.Dir = ".." // the main module: interop's go.mod does not hold the program's dependencies
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("building ledgernet: %v", buildErr)
	}
	return buildBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is an external program started by a test.
type process struct {
	cmd   *exec.Cmd
	lines chan string // stdout lines
	log   *lockedBuffer
	done  chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProcess runs bin with args; stdout lines are delivered on lines,
// stderr kept in log. At test end the process gets SIGINT, then SIGKILL
// after 10 s, by its PID.
func startProcess(t testing.TB, bin string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, lines: make(chan string, 256), log: new(lockedBuffer), done: make(chan struct{})}
	cmd.Stderr = p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.log.Write([]byte(sc.Text() + "\n"))
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		io.Copy(io.Discard, stdout)
		cmd.Wait()
		close(p.lines)
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop interrupts the process and waits for it.
func (p *process) stop(t testing.TB) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Logf("%s did not stop on SIGINT; killing pid %d", filepath.Base(p.cmd.Path), p.cmd.Process.Pid)
		p.cmd.Process.Kill()
		<-p.done
	}
}

// nextLine returns the next stdout line.
func (p *process) nextLine(t testing.TB, timeout time.Duration) string {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			t.Fatalf("%s exited; output:\n%s", filepath.Base(p.cmd.Path), p.log.String())
		}
		return l
	case <-time.After(timeout):
		t.Fatalf("no output from %s in %v; output:\n%s", filepath.Base(p.cmd.Path), timeout, p.log.String())
		return ""
	}
}

// waitListening polls addr until it accepts a TCP connection.
func waitListening(t *testing.T, addr string, timeout time.Duration, alive <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s not listening after %v: %v", addr, timeout, err)
		case <-alive:
			t.Fatalf("process exited before listening on %s", addr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
