package egress_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/internal/egress"
)

func TestCheckRefusesNonPublicAddresses(t *testing.T) {
	g := egress.NewGuard(nil)
	for _, tc := range []struct{ addr, reason string }{
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private (unique local)"},
		{"fd12:3456::1", "private (unique local)"},
		{"169.254.169.254", "link-local"},
		{"169.254.0.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"100.64.0.1", "carrier-grade NAT space (100.64.0.0/10)"},
		{"100.127.255.255", "carrier-grade NAT space (100.64.0.0/10)"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "in 0.0.0.0/8 (this network)"},
		{"255.255.255.255", "broadcast"},
		{"240.0.0.1", "reserved (240.0.0.0/4)"},
		{"255.255.255.254", "reserved (240.0.0.0/4)"},
		{"198.18.0.1", "reserved for benchmarking (198.18.0.0/15)"},
		{"198.19.255.255", "reserved for benchmarking (198.18.0.0/15)"},
		{"192.0.0.8", "reserved for IETF protocol assignments (192.0.0.0/24)"},
		{"::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1, which is loopback"},
		{"::ffff:169.254.169.254", "IPv4-mapped 169.254.169.254, which is link-local"},
		{"::ffff:10.1.2.3", "IPv4-mapped 10.1.2.3, which is private"},
		{"64:ff9b::7f00:1", "NAT64 for 127.0.0.1, which is loopback"},
		{"64:ff9b::a9fe:a9fe", "NAT64 for 169.254.169.254, which is link-local"},
		{"64:ff9b::c0a8:101", "NAT64 for 192.168.1.1, which is private"},
		{"64:ff9b:1::808:808", "local-use NAT64"},
		{"::7f00:1", "IPv4-compatible (deprecated)"},
		{"2002:a00:1::1", "6to4 for 10.0.0.1, which is private"},
		{"fec0::1", "site-local (deprecated)"},
	} {
		addr := netip.MustParseAddr(tc.addr)
		err := g.Check(addr)
		var re *egress.RefusedError
		if !errors.As(err, &re) {
			t.Errorf("Check(%s) = %v, want a refusal (%s)", tc.addr, err, tc.reason)
			continue
		}
		if re.Reason != tc.reason || re.Addr != addr {
			t.Errorf("Check(%s) refused %s as %q, want %q", tc.addr, re.Addr, re.Reason, tc.reason)
		}
		if want := tc.addr + " is " + tc.reason; err.Error() != want {
			t.Errorf("Check(%s) = %q, want %q", tc.addr, err, want)
		}
		if !errors.Is(err, egress.ErrRefused) {
			t.Errorf("Check(%s): errors.Is(err, ErrRefused) is false", tc.addr)
		}
	}
	if err := g.Check(netip.Addr{}); !errors.Is(err, egress.ErrRefused) {
		t.Errorf("Check(zero Addr) = %v, want a refusal", err)
	}
}

func TestCheckPermitsPublicAddresses(t *testing.T) {
	g := egress.NewGuard(nil)
	for _, a := range []string{
		"1.1.1.1", "8.8.8.8", "93.184.215.14",
		"9.255.255.255", "11.0.0.0", // around 10/8
		"172.15.255.255", "172.32.0.0", // around 172.16/12
		"100.63.255.255", "100.128.0.0", // around 100.64/10
		"198.17.255.255", "198.20.0.0", // around 198.18/15
		"192.0.1.0", "223.255.255.255", "1.0.0.0",
		"2606:4700:4700::1111", "2a00:1450:4001::200e",
		"::ffff:8.8.8.8",   // mapped public
		"64:ff9b::808:808", // NAT64 of a public address
		"2002:808:808::1",  // 6to4 of a public address
	} {
		if err := g.Check(netip.MustParseAddr(a)); err != nil {
			t.Errorf("Check(%s) = %v, want nil", a, err)
		}
	}
}

func TestCheckAllowPrefixes(t *testing.T) {
	g := egress.NewGuard([]netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("10.1.2.3/16"), // unmasked on purpose
	})
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true}, // the same host as 127.0.0.1
		{"10.1.200.1", true},
		{"10.2.0.1", false},
		{"169.254.169.254", false},
		{"192.168.1.1", false},
		{"64:ff9b::7f00:1", false}, // the NAT64 gateway's loopback, not ours
		{"8.8.8.8", true},
	} {
		err := g.Check(netip.MustParseAddr(tc.addr))
		if (err == nil) != tc.ok {
			t.Errorf("Check(%s) = %v, want allowed %v", tc.addr, err, tc.ok)
		}
	}
}

// fakeResolver answers from a map; names it does not know fail the lookup.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if addrs, ok := f[host]; ok {
		return addrs, nil
	}
	return nil, errors.New("no such host")
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestCheckURLRefuses(t *testing.T) {
	res := fakeResolver{
		"metadata.internal": addrs("169.254.169.254"),
		"hooks.internal":    addrs("127.0.0.1"),
		"mixed.example":     addrs("93.184.215.14", "10.0.0.7"),
		"mapped.example":    addrs("::ffff:10.0.0.1"),
		"empty.example":     nil,
	}
	g := egress.NewGuard(nil, egress.WithResolver(res))
	for _, tc := range []struct {
		url, want string
		refused   bool // errors.Is(err, ErrRefused)
	}{
		{"http://169.254.169.254/", "webhook URL http://169.254.169.254/: 169.254.169.254 is link-local", true},
		{"http://metadata.internal/", "webhook URL http://metadata.internal/: 169.254.169.254 is link-local", true},
		{"http://10.0.0.1/", "webhook URL http://10.0.0.1/: 10.0.0.1 is private", true},
		{"http://[::1]:8080/", "webhook URL http://[::1]:8080/: ::1 is loopback", true},
		{"https://hooks.internal/x", "webhook URL https://hooks.internal/x: 127.0.0.1 is loopback", true},
		{"http://mixed.example/", "webhook URL http://mixed.example/: 10.0.0.7 is private", true},
		{"http://mapped.example/", "webhook URL http://mapped.example/: 10.0.0.1 is private", true},
		{"http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is IPv4-mapped 169.254.169.254, which is link-local", true},
		{"http://[64:ff9b::a9fe:a9fe]/", "NAT64 for 169.254.169.254, which is link-local", true},
		{"http://[fe80::1%25eth0]/", "fe80::1%eth0 is link-local", true},
		{"http://0.0.0.0:8080/", "0.0.0.0 is unspecified", true},
		{"ftp://x", "webhook URL ftp://x: scheme must be http or https", false},
		{"file:///etc/passwd", "scheme must be http or https", false},
		{"gopher://example.com/", "scheme must be http or https", false},
		{"//example.com/", "scheme must be http or https", false},
		{"http://user:pw@example.com/", "webhook URL http://user:xxxxx@example.com/: must not hold a user name or password", false},
		{"https://token@example.com/", "must not hold a user name or password", false},
		{"http:///path", "has no host", false},
		{"http://:8080/", "has no host", false},
		{"http:opaque", "has no host", false},
		{"http://example.com:0/", "port 0 is out of range", false},
		{"http://example.com:70000/", "port 70000 is out of range", false},
		{"http://exa mple.com/", "not a valid URL", false},
		{"http://unknown.example/", "cannot resolve unknown.example: no such host", false},
		{"http://empty.example/", "empty.example resolves to no address", false},
	} {
		err := g.CheckURL(t.Context(), tc.url)
		if err == nil {
			t.Errorf("CheckURL(%s) = nil, want an error", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckURL(%s) = %q, want it to contain %q", tc.url, err, tc.want)
		}
		if got := errors.Is(err, egress.ErrRefused); got != tc.refused {
			t.Errorf("CheckURL(%s): errors.Is(err, ErrRefused) = %v, want %v", tc.url, got, tc.refused)
		}
		if strings.Contains(err.Error(), "pw") {
			t.Errorf("CheckURL(%s) = %q: the password leaked into the error", tc.url, err)
		}
	}
}

// TestCheckURLLocalhost resolves with the system resolver, which answers
// localhost from the hosts file without asking the network.
func TestCheckURLLocalhost(t *testing.T) {
	err := egress.NewGuard(nil).CheckURL(t.Context(), "http://localhost:8080/hook")
	if !errors.Is(err, egress.ErrRefused) || !strings.Contains(err.Error(), "is loopback") {
		t.Errorf("CheckURL(localhost) = %v, want loopback refused", err)
	}
	dev := egress.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	if err := dev.CheckURL(t.Context(), "http://localhost:8080/hook"); err != nil {
		t.Errorf("CheckURL(localhost) with loopback allowed = %v, want nil", err)
	}
}

func TestCheckURLAllows(t *testing.T) {
	res := fakeResolver{
		"hooks.example.com": addrs("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
		"dev.internal":      addrs("127.0.0.1"),
	}
	g := egress.NewGuard(nil, egress.WithResolver(res))
	for _, u := range []string{
		"https://hooks.example.com/seismo",
		"HTTPS://hooks.example.com:8443/a?b=c",
		"http://93.184.215.14/",
		"http://[2606:4700:4700::1111]:8080/",
	} {
		if err := g.CheckURL(t.Context(), u); err != nil {
			t.Errorf("CheckURL(%s) = %v, want nil", u, err)
		}
	}
	dev := egress.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		egress.WithResolver(res))
	for _, u := range []string{"http://127.0.0.1:9000/hook", "http://[::1]:8080/", "http://dev.internal/"} {
		if err := dev.CheckURL(t.Context(), u); err != nil {
			t.Errorf("CheckURL(%s) with loopback allowed = %v, want nil", u, err)
		}
	}
	if err := dev.CheckURL(t.Context(), "http://10.0.0.1/"); err == nil {
		t.Error("CheckURL(http://10.0.0.1/) with loopback allowed = nil, want a refusal")
	}
}

// stallResolver never answers before its context ends.
type stallResolver struct{}

func (stallResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestCheckURLLookupTimeout(t *testing.T) {
	g := egress.NewGuard(nil, egress.WithResolver(stallResolver{}), egress.WithLookupTimeout(50*time.Millisecond))
	start := time.Now()
	err := g.CheckURL(t.Context(), "https://slow.example/")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CheckURL with a stalled resolver = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("CheckURL took %v with a 50ms lookup timeout", d)
	}
}
