package seismo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// rules say which project packages a stage must not depend on, directly or
// through others. Posts flow ingest → classify and detect → notify and api,
// and only app (which wires the stages into a process) and the command
// know them all: a stage that imported one downstream of it could not be
// tested or replaced without it. Paths are relative to the module and cover
// their subpackages; internal/app is listed so the rule survives a move.
// Only what the packages build with counts: tests may wire real
// implementations together.
var rules = []struct {
	stage     string
	forbidden []string
}{
	// ingest declares the interfaces it consumes; the command passes it a
	// classifier and a store.
	{"ingest", []string{"classify", "detect", "api", "notify", "app", "internal/app"}},
	{"classify", []string{"api", "notify", "app", "internal/app"}},
	{"detect", []string{"api", "notify", "app", "internal/app"}},
	// The relay reads the event stream through its own interfaces.
	{"notify", []string{"detect"}},
	// A source only writes posts to Kafka: it knows nothing of what reads
	// them.
	{"source", []string{"ingest", "classify", "detect", "api", "notify", "app", "internal/app", "backtest", "simulate"}},
	// The backtest runs the detector without a process around it.
	{"backtest", []string{"ingest", "api", "notify", "app", "internal/app"}},
	// The dashboard reads everything through the JSON API in the browser,
	// so it needs no project package, and api can mount it.
	{"dashboard", []string{"", "api", "app", "internal", "classify", "detect", "ingest", "notify", "metrics", "simulate", "backtest", "broker"}},
}

// listed is what go list says of one package.
type listed struct {
	ImportPath                string
	Imports, Deps             []string
	TestImports, XTestImports []string
	Module                    *struct{ Path string }
}

func TestLayering(t *testing.T) {
	pkgs := listModule(t)
	mod := pkgs[0].Module.Path
	rel := func(path string) (string, bool) {
		if path == mod {
			return "", true
		}
		r, ok := strings.CutPrefix(path, mod+"/")
		return r, ok
	}
	byRel := map[string]listed{}
	for _, p := range pkgs {
		r, _ := rel(p.ImportPath)
		byRel[r] = p
	}
	for _, r := range rules {
		if _, ok := byRel[r.stage]; !ok {
			t.Errorf("rule for %q names no package of %s; update the rules", r.stage, mod)
		}
	}
	for _, p := range pkgs {
		from, _ := rel(p.ImportPath)
		for _, dep := range p.Deps {
			to, ours := rel(dep)
			if !ours {
				continue
			}
			switch {
			case from == "":
				t.Errorf("the root package (the vocabulary) depends on %s%s", to, via(byRel, rel, from, to))
			case within(to, "cmd") && !within(from, "cmd"):
				t.Errorf("%s depends on the command package %s%s", from, to, via(byRel, rel, from, to))
			}
			for _, r := range rules {
				if within(from, r.stage) && slices.ContainsFunc(r.forbidden, func(f string) bool { return within(to, f) }) {
					t.Errorf("%s depends on %s, downstream of it%s", from, to, via(byRel, rel, from, to))
				}
			}
		}
		// Not even a test reaches into a command.
		for _, imp := range slices.Concat(p.TestImports, p.XTestImports) {
			if to, ours := rel(imp); ours && within(to, "cmd") && !within(from, "cmd") {
				t.Errorf("a test of %s imports the command package %s", p.ImportPath, to)
			}
		}
	}
}

// within reports whether the package path p (relative to the module) is
// pkg or one of its subpackages.
func within(p, pkg string) bool { return p == pkg || strings.HasPrefix(p, pkg+"/") }

// via spells the chain of imports from one project package to another, when
// the dependency is indirect.
func via(byRel map[string]listed, rel func(string) (string, bool), from, to string) string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var chain []string
			for c := to; c != from; c = prev[c] {
				chain = append(chain, c)
			}
			if len(chain) == 1 {
				return ""
			}
			slices.Reverse(chain)
			return " (through " + strings.Join(append([]string{from}, chain...), " → ") + ")"
		}
		for _, imp := range byRel[cur].Imports {
			if next, ours := rel(imp); ours {
				if _, seen := prev[next]; !seen {
					prev[next] = cur
					queue = append(queue, next)
				}
			}
		}
	}
	return ""
}

// listModule runs go list on every package of the module; go test puts its
// own go first on PATH.
func listModule(t *testing.T) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []listed
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 || pkgs[0].Module == nil {
		t.Fatalf("go list found no packages of a module:\n%s", out)
	}
	return pkgs
}
