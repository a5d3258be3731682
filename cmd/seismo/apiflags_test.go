package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdminTokenFlags(t *testing.T) {
	const secret = "s3cret-admin-token"
	dir := t.TempDir()
	file := filepath.Join(dir, "admin-token")
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"none", nil, nil, "", ""},
		{"flag", []string{"--admin-token", secret}, nil, secret, ""},
		{"environment", nil, map[string]string{"SEISMO_ADMIN_TOKEN": secret}, secret, ""},
		{"file, newline dropped", []string{"--admin-token-file", file}, nil, secret, ""},
		{"file from the environment", nil, map[string]string{"SEISMO_ADMIN_TOKEN_FILE": file}, secret, ""},
		{"both", []string{"--admin-token", secret, "--admin-token-file", file}, nil, "", "not both"},
		{"environment and file", []string{"--admin-token-file", file}, map[string]string{"SEISMO_ADMIN_TOKEN": secret}, "", "not both"},
		{"empty file", []string{"--admin-token-file", empty}, nil, "", "is empty"},
		{"missing file", []string{"--admin-token-file", filepath.Join(dir, "nope")}, nil, "", "--admin-token-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var af apiFlags
			fs := newFlagSet("run", "run", io.Discard)
			af.register(fs)
			if err := parse(fs, tt.args, func(k string) string { return tt.env[k] }); err != nil {
				t.Fatal(err)
			}
			got, err := af.admin()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error repeats the token: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("admin token = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// Both commands that serve the API take the flags, and say what is wrong
// without repeating the token.
func TestAdminTokenUsage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "admin-token")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "demo"} {
		code, _, stderr := runSeismo(t, context.Background(), "", cmd, "--admin-token", "on-the-line", "--admin-token-file", file)
		if code != 2 || !strings.Contains(stderr, "not both") || strings.Contains(stderr, "on-the-line") {
			t.Errorf("seismo %s with both: exit %d, stderr %q", cmd, code, stderr)
		}
	}
	// The demo checks the API's options before it starts anything.
	code, _, stderr := runSeismo(t, context.Background(), "", "demo", "--public-url", "ftp://x", "--admin-token", "bad tok3n")
	if code != 2 || !strings.Contains(stderr, "admin token: must not contain spaces") ||
		!strings.Contains(stderr, "public URL") || strings.Contains(stderr, "tok3n") {
		t.Errorf("seismo demo with bad API options: exit %d, stderr %q", code, stderr)
	}
}
