package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// apiFlags configure the HTTP API of seismo run and seismo demo: who may
// write and read, and where the feeds' links point.
type apiFlags struct {
	adminToken, adminTokenFile string
	readToken                  string
	publicURL                  string
}

func (a *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.adminToken, "admin-token", "", "bearer token for the API's writes and admin endpoints (webhooks, silences), which are\n"+
		"off without one; other users see flags in the process list: prefer $SEISMO_ADMIN_TOKEN\nor --admin-token-file")
	fs.StringVar(&a.adminTokenFile, "admin-token-file", "", "file that holds the admin token (trailing newlines dropped); not with --admin-token")
	fs.StringVar(&a.readToken, "read-token", "", "bearer token that the API's reads need too (the admin token also serves; /healthz,\n"+
		"/readyz and /metrics stay open); without one, reads are public")
	fs.StringVar(&a.publicURL, "public-url", "", "base URL of the links in the feeds, as readers reach the API\n"+
		"(default the scheme and host of each request)")
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
