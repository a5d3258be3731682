package seismo_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
)

// valid are the closed string types of the vocabulary and their Valid.
var valid = map[string]func(string) bool{
	"Status":   func(v string) bool { return seismo.Status(v).Valid() },
	"Severity": func(v string) bool { return seismo.Severity(v).Valid() },
	"Problem":  func(v string) bool { return seismo.Problem(v).Valid() },
}

// Every constant of a closed type is valid: the constants are read from the
// source, so one added without its case in Valid fails here.
func TestEveryConstantIsValid(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok || valid[typ.Name] == nil {
					continue
				}
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s is not a string literal", vs.Names[i])
					}
					val, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					found[typ.Name]++
					if !valid[typ.Name](val) {
						t.Errorf("%s %s = %q is not Valid", typ.Name, vs.Names[i], val)
					}
				}
			}
		}
	}
	for name, check := range valid {
		if found[name] < 2 {
			t.Errorf("found %d constants of %s in the source", found[name], name)
		}
		for _, v := range []string{"", "bogus", "Open", " open"} {
			if check(v) {
				t.Errorf("%s(%q) is Valid", name, v)
			}
		}
	}
}

// Like Status and Severity, a problem travels as its plain string, and a
// value this build does not know decodes unchanged: consumers of the feed
// must tolerate new ones, and validation is the reader's choice.
func TestProblemJSON(t *testing.T) {
	b, err := json.Marshal(seismo.Signal{Complaint: true, Problem: seismo.ProblemAppCrash})
	if err != nil {
		t.Fatal(err)
	}
	var raw struct{ Problem string }
	if err := json.Unmarshal(b, &raw); err != nil || raw.Problem != "app_crash" {
		t.Fatalf("problem encodes as %s (%v), want the plain string", b, err)
	}
	var sh seismo.ProblemShare
	if err := json.Unmarshal([]byte(`{"problem":"smoke","complaints":1,"share":1}`), &sh); err != nil ||
		sh.Problem != "smoke" || sh.Problem.Valid() {
		t.Fatalf("an unknown problem decodes as %+v, %v", sh, err)
	}
}
