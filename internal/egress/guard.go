// Package egress makes HTTP requests to URLs that users supply, such as
// webhook receivers, without letting those URLs reach the network seismo
// runs in (server-side request forgery): loopback, private and link-local
// addresses, cloud metadata endpoints and other addresses that are not
// public destinations are refused unless explicitly allowed.
//
// A Guard checks a URL when it is registered (CheckURL) and, because DNS
// answers can change between registration and delivery, again at every
// connection its Client makes, on the address actually dialled.
package egress

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// ErrRefused is matched (errors.Is) by every error that refuses a
// destination address, so callers can tell a refusal, which retrying will
// not cure, from a network failure.
var ErrRefused = errors.New("destination refused")

// RefusedError says which address was refused and why.
type RefusedError struct {
	Addr   netip.Addr
	Reason string // a phrase that follows "is", e.g. "link-local"
}

func (e *RefusedError) Error() string { return e.Addr.String() + " is " + e.Reason }

// Is makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// Resolver looks up the addresses of a host name. *net.Resolver implements
// it; tests inject their own answers.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard decides which destination addresses outbound requests may reach.
// Make one with NewGuard; it is safe for concurrent use.
type Guard struct {
	allow         []netip.Prefix
	resolver      Resolver
	lookupTimeout time.Duration
}

// Option configures a Guard.
type Option func(*Guard)

// WithResolver makes CheckURL resolve host names with r instead of
// net.DefaultResolver. Deliveries still resolve with the system resolver;
// their check is on the address connected to, whoever resolved it.
func WithResolver(r Resolver) Option { return func(g *Guard) { g.resolver = r } }

// WithLookupTimeout bounds CheckURL's host lookup (default 5s), so a slow
// DNS server cannot hold a registration request.
func WithLookupTimeout(d time.Duration) Option {
	return func(g *Guard) {
		if d > 0 {
			g.lookupTimeout = d
		}
	}
}

// NewGuard returns a Guard that refuses non-public addresses except those
// inside an allow prefix: development and tests reach receivers on
// 127.0.0.1 with allow 127.0.0.0/8.
func NewGuard(allow []netip.Prefix, opts ...Option) *Guard {
	g := &Guard{resolver: net.DefaultResolver, lookupTimeout: 5 * time.Second}
	for _, p := range allow {
		if p.IsValid() {
			g.allow = append(g.allow, p.Masked())
		}
	}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Check returns nil if addr may be connected to, or a *RefusedError.
func (g *Guard) Check(addr netip.Addr) error {
	if !addr.IsValid() {
		return &RefusedError{Addr: addr, Reason: "not an IP address"}
	}
	// A zone only says which interface to use; Prefix.Contains never
	// matches an address that has one.
	bare := addr.WithZone("")
	if g.allowed(bare) {
		return nil
	}
	if reason := refusal(bare); reason != "" {
		return &RefusedError{Addr: addr, Reason: reason}
	}
	return nil
}

// allowed reports whether addr is inside an allow prefix. An IPv4-mapped
// IPv6 address is the same host as its IPv4 address (a dual-stack socket
// connects to it over IPv4), so it is allowed by the IPv4 prefix too. A
// NAT64 address is not: it reaches the embedded address from the NAT64
// gateway's network, not from ours.
func (g *Guard) allowed(addr netip.Addr) bool {
	for _, p := range g.allow {
		if p.Contains(addr) || p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// A block is a range of addresses refused for one reason.
type block struct {
	prefix netip.Prefix
	reason string
}

// blocks4 are the IPv4 ranges refused, the more specific first, so the
// first match gives the reason.
var blocks4 = []block{
	{netip.MustParsePrefix("0.0.0.0/32"), "unspecified"},
	{netip.MustParsePrefix("0.0.0.0/8"), "in 0.0.0.0/8 (this network)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	// Cloud metadata services (169.254.169.254) live here.
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT space (100.64.0.0/10)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved for IETF protocol assignments (192.0.0.0/24)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved for benchmarking (198.18.0.0/15)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (240.0.0.0/4)"},
}

// blocks6 are the IPv6 ranges refused outright. IPv4-mapped, NAT64 and 6to4
// addresses are judged by the IPv4 address they embed (see refusal).
var blocks6 = []block{
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	// Deprecated IPv4-compatible addresses (::a.b.c.d): no public host
	// uses them, and older stacks route them to the embedded IPv4 address.
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	// Local-use NAT64 (RFC 8215) translates into the operator's own
	// network, and its prefix length, so the embedding, is not fixed.
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("fc00::/7"), "private (unique local)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// refusal returns why addr (without a zone) is refused, or "" for a public
// address.
func refusal(addr netip.Addr) string {
	if addr.Is4() {
		for _, b := range blocks4 {
			if b.prefix.Contains(addr) {
				return b.reason
			}
		}
		return ""
	}
	if addr.Is4In6() {
		return embedded("IPv4-mapped", addr.Unmap())
	}
	b := addr.As16()
	switch {
	case nat64.Contains(addr):
		return embedded("NAT64 for", netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(addr):
		return embedded("6to4 for", netip.AddrFrom4([4]byte(b[2:6])))
	}
	for _, bl := range blocks6 {
		if bl.prefix.Contains(addr) {
			return bl.reason
		}
	}
	return ""
}

// embedded judges an IPv6 address that reaches the IPv4 address v4.
func embedded(how string, v4 netip.Addr) string {
	if r := refusal(v4); r != "" {
		return how + " " + v4.String() + ", which is " + r
	}
	return ""
}
