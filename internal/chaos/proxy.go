// Package chaos injects network faults between seismo's processes, for the
// fault-injection suite (`make chaos`): a TCP proxy that can delay what it
// forwards, reset every connection, or cut the link for a while.
package chaos

import (
	"net"
	"sync"
	"time"
)

// Proxy forwards TCP connections from its address to a target, with the
// faults it is told to inject.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	delay  time.Duration
	cut    chan struct{} // closed while the link is up; nil when never cut
	conns  map[net.Conn]struct{}
	closed bool

	wg sync.WaitGroup
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is where clients connect.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetDelay holds every chunk forwarded, either way, for d; 0 forwards at
// once.
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Cut stops forwarding until Heal: connections stay open and new ones are
// accepted, but nothing goes through, as when a network drops packets.
// Clients find out only by their own timeouts.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut == nil {
		p.cut = make(chan struct{})
	}
}

// Heal ends a Cut: what was held goes through.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut != nil {
		close(p.cut)
		p.cut = nil
	}
}

// Reset closes every connection at once, with a TCP reset where it can.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	}
}

// Close stops listening, closes every connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	if p.cut != nil {
		close(p.cut)
		p.cut = nil
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.Reset()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		if !p.track(c) {
			_ = c.Close()
			return
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// track registers c, or reports false once the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

// serve connects c to the target once the link is up and copies both ways
// until either side closes.
func (p *Proxy) serve(c net.Conn) {
	defer p.untrack(c)
	defer c.Close()
	if !p.waitUp(c) {
		return
	}
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		return // the client sees its connection close, as when a port refuses
	}
	if !p.track(up) {
		_ = up.Close()
		return
	}
	defer p.untrack(up)
	defer up.Close()
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(up, c) })
	wg.Go(func() { p.pipe(c, up) })
	wg.Wait()
}

// pipe copies from src to dst, chunk by chunk, through the faults; it
// closes both ends when either fails or ends, so that its twin returns
// too.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			d := p.delay
			p.mu.Unlock()
			if d > 0 {
				time.Sleep(d)
			}
			if !p.waitUp(src) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or a failure: neither protocol half-closes
		}
	}
}

// waitUp waits while the link is cut. It reports false when c was closed
// meanwhile (a Reset or Close).
func (p *Proxy) waitUp(c net.Conn) bool {
	for {
		p.mu.Lock()
		cut, closed := p.cut, p.closed
		_, open := p.conns[c]
		p.mu.Unlock()
		if closed || !open {
			return false
		}
		if cut == nil {
			return true
		}
		select {
		case <-cut:
		case <-time.After(100 * time.Millisecond): // to notice a Reset
		}
	}
}
