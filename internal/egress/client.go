package egress

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ClientOptions tune a delivery client. The zero value is usable.
type ClientOptions struct {
	// Timeout bounds a whole request, from dialling to the end of reading
	// the body (http.Client.Timeout). Default 10s.
	Timeout time.Duration
	// MaxIdleConnsPerHost is how many idle connections to one receiver
	// are kept for reuse: deliveries to the same receiver repeat, and a
	// new TLS handshake for each would cost more than the delivery.
	// Default 8.
	MaxIdleConnsPerHost int
	// TLSConfig is used for https; nil means the system's roots.
	TLSConfig *tls.Config
}

const (
	dialTimeout    = 5 * time.Second
	tlsTimeout     = 5 * time.Second
	maxHeaderBytes = 64 << 10
)

// Client returns an HTTP client for deliveries that connects only to
// addresses g permits. The check is made on the address each connection
// dials, after resolution, so a DNS answer that changed since CheckURL (DNS
// rebinding) cannot reach a refused address. The client uses no proxy (an
// environment proxy would connect on its behalf, out of the check's sight)
// and follows no redirects (a receiver could redirect to an internal URL;
// the 3xx response is returned as it is).
func (g *Guard) Client(opts ClientOptions) *http.Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.MaxIdleConnsPerHost <= 0 {
		opts.MaxIdleConnsPerHost = 8
	}
	d := &net.Dialer{
		Timeout:        dialTimeout,
		KeepAlive:      30 * time.Second,
		ControlContext: g.control,
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		TLSClientConfig:        opts.TLSConfig,
		TLSHandshakeTimeout:    tlsTimeout,
		ResponseHeaderTimeout:  opts.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    opts.MaxIdleConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		// A custom DialContext turns HTTP/2 off unless asked for.
		ForceAttemptHTTP2: true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// control runs after the dialer resolved the address and before it
// connects: address is the IP and port about to be dialled.
func (g *Guard) control(_ context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check %s address %q: %v", ErrRefused, network, address, err)
	}
	return g.Check(ap.Addr())
}

// ReadBody reads at most keep bytes of a response body for the record, and
// reports whether there was more. The rest is read and discarded, up to
// drain bytes, so that the connection can be reused for the next delivery;
// a longer body is left unread, and closing it closes the connection. An
// error while draining is not reported: what was kept is complete.
// The caller still closes the body.
func ReadBody(body io.Reader, keep, drain int64) (b []byte, truncated bool, err error) {
	keep = min(max(keep, 0), math.MaxInt64-1)
	b, err = io.ReadAll(io.LimitReader(body, keep+1))
	if int64(len(b)) > keep {
		b, truncated = b[:keep], true
	}
	if err != nil {
		return b, truncated, err
	}
	if truncated && drain > 0 {
		_, _ = io.CopyN(io.Discard, body, drain)
	}
	return b, truncated, nil
}
