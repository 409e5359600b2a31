package nat

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeNAT records calls with their (fake) times.
type fakeNAT struct {
	mu      sync.Mutex // guards all below
	calls   []string
	ip      netip.Addr
	grant   uint16 // port granted; 0 means the one asked
	failAdd int    // fail the next failAdd AddMapping calls
	start   time.Time
}

func (f *fakeNAT) log(format string, args ...any) {
	f.calls = append(f.calls, fmt.Sprintf("%v ", time.Since(f.start).Round(time.Second))+fmt.Sprintf(format, args...))
}

func (f *fakeNAT) ExternalIP(context.Context) (netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ip, nil
}

func (f *fakeNAT) AddMapping(_ context.Context, proto string, ext, in uint16, name string, life time.Duration) (uint16, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failAdd > 0 {
		f.failAdd--
		f.log("add failed")
		return 0, errors.New("gateway busy")
	}
	f.log("add %s %d->%d %s %v", proto, ext, in, name, life)
	if f.grant != 0 {
		return f.grant, nil
	}
	return ext, nil
}

func (f *fakeNAT) DeleteMapping(_ context.Context, proto string, ext, in uint16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("delete %s %d->%d", proto, ext, in)
	return nil
}

func (f *fakeNAT) String() string { return "fake" }

func (f *fakeNAT) set(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *fakeNAT) history() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func TestMapperRenews(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeNAT{ip: netip.MustParseAddr("203.0.113.7"), start: time.Now()}
		var mu sync.Mutex
		var reported []netip.AddrPort
		mp := StartMapper(f, Mapping{Proto: "tcp", Port: 30303, Name: "ledgernet"}, MapperConfig{
			OnExternal: func(m Mapping, a netip.AddrPort) {
				mu.Lock()
				reported = append(reported, a)
				mu.Unlock()
			},
		})
		synctest.Wait()
		if a, ok := mp.External(); !ok || a.String() != "203.0.113.7:30303" {
			t.Fatalf("external %v %v", a, ok)
		}
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		f.set(func() { f.ip = netip.MustParseAddr("203.0.113.8") })
		time.Sleep(15 * time.Minute)
		synctest.Wait()
		mp.Stop()
		mp.Stop()
		want := []string{
			"0s add tcp 30303->30303 ledgernet 20m0s",
			"13m20s add tcp 30303->30303 ledgernet 20m0s",
			"26m40s add tcp 30303->30303 ledgernet 20m0s",
			"40m0s add tcp 30303->30303 ledgernet 20m0s",
			"45m0s delete tcp 30303->30303",
		}
		if got := f.history(); !slices.Equal(got, want) {
			t.Errorf("calls\n%q\nwant\n%q", got, want)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(reported) != 2 || reported[0].String() != "203.0.113.7:30303" || reported[1].String() != "203.0.113.8:30303" {
			t.Errorf("reported %v", reported)
		}
	})
}

func TestMapperRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeNAT{ip: netip.MustParseAddr("203.0.113.7"), start: time.Now(), failAdd: 3, grant: 40000}
		mp := StartMapper(f, Mapping{Proto: "udp", Port: 30303, ExtPort: 30000, Name: "disc"}, MapperConfig{
			Lifetime: 3 * time.Minute, Retry: 10 * time.Second,
		})
		synctest.Wait()
		if _, ok := mp.External(); ok {
			t.Error("external address before any success")
		}
		time.Sleep(3*time.Minute + 30*time.Second)
		synctest.Wait()
		if a, _ := mp.External(); a.String() != "203.0.113.7:40000" {
			t.Errorf("external %v", a)
		}
		mp.Stop()
		want := []string{
			"0s add failed",
			"10s add failed",
			"30s add failed",
			"1m10s add udp 30000->30303 disc 3m0s",
			// Renewals ask for the granted port.
			"3m10s add udp 40000->30303 disc 3m0s",
			"3m30s delete udp 40000->30303",
		}
		if got := f.history(); !slices.Equal(got, want) {
			t.Errorf("calls\n%q\nwant\n%q", got, want)
		}
	})
}

func TestMapperStopBeforeMapping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeNAT{ip: netip.MustParseAddr("203.0.113.7"), start: time.Now(), failAdd: 100}
		mp := StartMapper(f, Mapping{Proto: "tcp", Port: 1}, MapperConfig{})
		time.Sleep(time.Minute)
		mp.Stop()
		for _, c := range f.history() {
			if c != "0s add failed" && c != "30s add failed" {
				t.Errorf("unexpected call %q", c)
			}
		}
	})
}

func TestMapperExtIP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		got := make(chan netip.AddrPort, 1)
		mp := StartMapper(ExtIP(netip.MustParseAddr("198.51.100.1")), Mapping{Proto: "tcp", Port: 30303}, MapperConfig{
			OnExternal: func(_ Mapping, a netip.AddrPort) { got <- a },
		})
		if a := <-got; a.String() != "198.51.100.1:30303" {
			t.Errorf("external %v", a)
		}
		mp.Stop()
	})
}
