package egress

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
)

// CheckURL checks a URL when a user registers it: it must be http or https
// with a host and no user information (credentials in URLs end up in logs),
// and every address its host resolves to must pass Check, since a client
// may connect to any of them. An IP literal is checked without a lookup.
//
// Passing here does not make later deliveries safe by itself, as DNS can
// answer differently then; the Client checks each connection again.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, credentials included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook URL is not a valid URL: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("webhook URL %s: "+format, append([]any{u.Redacted()}, args...)...)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fail("scheme must be http or https")
	}
	if u.User != nil {
		return fail("must not hold a user name or password")
	}
	host := u.Hostname()
	if host == "" {
		return fail("has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fail("port %s is out of range", p)
		}
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if err := g.Check(addr); err != nil {
			return fail("%w", err)
		}
		return nil
	}
	lctx, cancel := context.WithTimeout(ctx, g.lookupTimeout)
	defer cancel()
	addrs, err := g.resolver.LookupNetIP(lctx, "ip", host)
	if err != nil {
		return fail("cannot resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return fail("%s resolves to no address", host)
	}
	for _, a := range addrs {
		// Resolvers may return IPv4 answers in IPv4-mapped form; the
		// plain form makes the message read as the DNS record does.
		if err := g.Check(a.Unmap()); err != nil {
			return fail("%w", err)
		}
	}
	return nil
}
