package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"built from a repository", &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/seismo-dev/seismo", Version: "v0.3.1-0.20260402101500-b48c49c0a1b2+dirty"},
			Settings: []debug.BuildSetting{
				{Key: "-buildmode", Value: "exe"},
				{Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: "b48c49c0a1b2c3d4e5f60718293a4b5c6d7e8f90"},
				{Key: "vcs.time", Value: "2026-04-02T10:15:00Z"},
				{Key: "vcs.modified", Value: "true"},
			},
		}, `seismo v0.3.1-0.20260402101500-b48c49c0a1b2+dirty
revision  b48c49c0a1b2c3d4e5f60718293a4b5c6d7e8f90
time      2026-04-02T10:15:00Z
modified  true
go        go1.26.8
`},
		{"without VCS information", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, `seismo (devel)
revision  unknown
time      unknown
modified  unknown
go        go1.26.8
`},
		{"without build information", nil, `seismo unknown
revision  unknown
time      unknown
modified  unknown
go        ` + runtime.Version() + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionText(tt.bi); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// seismo version and seismo --version print the same, from this binary's
// build information.
func TestVersionCommand(t *testing.T) {
	ctx := context.Background()
	code, out, stderr := runSeismo(t, ctx, "", "version")
	if code != 0 || !strings.HasPrefix(out, "seismo ") || !strings.Contains(out, "\ngo        "+runtime.Version()+"\n") {
		t.Fatalf("seismo version: exit %d, stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, flag := range []string{"--version", "-version"} {
		if code, got, _ := runSeismo(t, ctx, "", flag); code != 0 || got != out {
			t.Errorf("seismo %s: exit %d, stdout:\n%s\nwant what seismo version prints", flag, code, got)
		}
	}
	if code, _, stderr := runSeismo(t, ctx, "", "version", "extra"); code != 2 || !strings.Contains(stderr, `unexpected argument "extra"`) {
		t.Errorf("seismo version extra: exit %d, stderr:\n%s", code, stderr)
	}
	if _, help, _ := runSeismo(t, ctx, "", "help"); !strings.Contains(help, "\n  version   print") {
		t.Errorf("seismo help does not list version:\n%s", help)
	}
}
