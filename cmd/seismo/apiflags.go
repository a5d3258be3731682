package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/seismo-dev/seismo/app"
)

// apiFlags configure the HTTP API of seismo run and seismo demo: who may
// write and read, and where the feeds' links point.
type apiFlags struct {
	adminToken, adminTokenFile string
	readToken                  string
	publicURL                  string
	webhookAllow               prefixFlags
	webhookSchedule            string
	webhookTimeout             time.Duration
}

func (a *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.adminToken, "admin-token", "", "bearer token for the API's writes and admin endpoints (webhooks, silences), which are\n"+
		"off without one; other users see flags in the process list: prefer $SEISMO_ADMIN_TOKEN\nor --admin-token-file")
	fs.StringVar(&a.adminTokenFile, "admin-token-file", "", "file that holds the admin token (trailing newlines dropped); not with --admin-token")
	fs.StringVar(&a.readToken, "read-token", "", "bearer token that the API's reads need too (the admin token also serves; /healthz,\n"+
		"/readyz and /metrics stay open); without one, reads are public")
	fs.StringVar(&a.publicURL, "public-url", "", "base URL of the links in the feeds, as readers reach the API\n"+
		"(default the scheme and host of each request)")
	fs.Var(&a.webhookAllow, "webhook-allow-net", "address range (CIDR) webhooks may reach although the SSRF guard refuses it\n"+
		"(loopback, private, link-local...), for development and tests; repeat it for several")
	fs.StringVar(&a.webhookSchedule, "webhook-retry-schedule", "", "waits before each retry of a failed webhook delivery, comma-separated\n"+
		"(default 5s,5m,30m,2h,5h,10h,10h; then the delivery has failed)")
	fs.DurationVar(&a.webhookTimeout, "webhook-timeout", 10*time.Second, "time limit of one webhook delivery attempt")
}

// webhooks returns the webhook options the flags give.
func (a *apiFlags) webhooks() (app.WebhookOptions, error) {
	o := app.WebhookOptions{AllowNets: a.webhookAllow, Timeout: a.webhookTimeout}
	if a.webhookSchedule != "" {
		for _, part := range strings.Split(a.webhookSchedule, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(part))
			if err != nil || d <= 0 {
				return o, fmt.Errorf("%w: --webhook-retry-schedule: %q is not a positive duration", errUsage, part)
			}
			o.Schedule = append(o.Schedule, d)
		}
	}
	if a.webhookTimeout <= 0 {
		return o, fmt.Errorf("%w: --webhook-timeout must be positive", errUsage)
	}
	return o, nil
}

// prefixFlags collect CIDR ranges from a repeatable flag.
type prefixFlags []netip.Prefix

func (p *prefixFlags) String() string {
	parts := make([]string, len(*p))
	for i, x := range *p {
		parts[i] = x.String()
	}
	return strings.Join(parts, ",")
}

func (p *prefixFlags) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		x, err := netip.ParsePrefix(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("want a CIDR range such as 127.0.0.0/8: %v", err)
		}
		*p = append(*p, x.Masked())
	}
	return nil
}

// admin returns the admin token, from the flag or the environment or read
// from its file. Errors name the flags, never the token.
func (a *apiFlags) admin() (string, error) {
	if a.adminTokenFile == "" {
		return a.adminToken, nil
	}
	if a.adminToken != "" {
		return "", fmt.Errorf("%w: give --admin-token (or %s) or --admin-token-file, not both", errUsage, envName("admin-token"))
	}
	b, err := os.ReadFile(a.adminTokenFile)
	if err != nil {
		return "", fmt.Errorf("%w: --admin-token-file: %v", errUsage, err)
	}
	token := strings.TrimRight(string(b), "\r\n")
	if token == "" {
		return "", fmt.Errorf("%w: --admin-token-file %s is empty", errUsage, a.adminTokenFile)
	}
	return token, nil
}
