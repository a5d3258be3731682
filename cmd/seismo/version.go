package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func runVersion(_ context.Context, args []string, sio stdio) error {
	fs := newFlagSet("version", "version", sio.err)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprint(sio.out, versionText(bi))
	return err
}

// versionText says what a binary was built from: the module version, the
// VCS revision, its commit time and whether the tree had uncommitted
// changes (as go build stamps them), and the Go version. What the build did
// not record reads "unknown", so the lines are always the same.
func versionText(bi *debug.BuildInfo) string {
	version, goVersion := "", runtime.Version()
	vcs := map[string]string{}
	if bi != nil {
		version, goVersion = bi.Main.Version, bi.GoVersion
		for _, s := range bi.Settings {
			vcs[s.Key] = s.Value
		}
	}
	or := func(v string) string {
		if v == "" {
			return "unknown"
		}
		return v
	}
	var b strings.Builder
	fmt.Fprintf(&b, "seismo %s\n", or(version))
	fmt.Fprintf(&b, "revision  %s\n", or(vcs["vcs.revision"]))
	fmt.Fprintf(&b, "time      %s\n", or(vcs["vcs.time"]))
	fmt.Fprintf(&b, "modified  %s\n", or(vcs["vcs.modified"]))
	fmt.Fprintf(&b, "go        %s\n", or(goVersion))
	return b.String()
}
