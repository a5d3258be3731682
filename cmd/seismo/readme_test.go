package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's shell recipes work as written for a new user: every seismo
// subcommand and flag they use exists, every file they read is made by an
// earlier line or is in the repository, and none needs root. The docs name
// only documents the repository has.
func TestREADMERecipes(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	help := map[string]string{}
	helpOf := func(sub string) string {
		if h, ok := help[sub]; ok {
			return h
		}
		_, out, _ := runSeismo(t, context.Background(), "", append(strings.Fields(sub), "--help")...)
		help[sub] = out
		return out
	}
	known := map[string]bool{"help": true}
	for _, c := range commands() {
		known[c.name] = true
	}
	made := map[string]bool{"-": true}
	readsFlags := map[string]bool{"--posts": true, "-l": true, "<": true, "--series": true, "--data": true}

	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("no shell blocks in the README")
	}
	for _, b := range blocks {
		for line := range strings.SplitSeq(b[1], "\n") {
			if i := strings.Index(line, "#"); i >= 0 {
				line = line[:i]
			}
			for _, seg := range regexp.MustCompile(`\|\||&&|[|;&]`).Split(line, -1) {
				f := strings.Fields(seg)
				for i, tok := range f {
					if strings.HasPrefix(tok, "/var/") || strings.HasPrefix(tok, "/etc/") {
						t.Errorf("README recipe %q writes under %s, which needs root", strings.TrimSpace(line), tok)
					}
					if i+1 < len(f) && tok == ">" {
						made[f[i+1]] = true
					}
				}
				sub, args := seismoCommand(f)
				if sub == "" {
					continue
				}
				if !known[sub] {
					t.Errorf("README runs seismo %s, which is no command", sub)
					continue
				}
				if sub == "source" && len(args) > 0 {
					// seismo source bluesky: the network has the flags.
					sub, args = sub+" "+args[0], args[1:]
				}
				for i, a := range args {
					if strings.HasPrefix(a, "--") {
						name, _, _ := strings.Cut(a, "=")
						if !strings.Contains(helpOf(sub), "  "+name+" ") && !strings.Contains(helpOf(sub), "  "+name+"\n") {
							t.Errorf("README runs seismo %s %s, a flag it does not have", sub, name)
						}
					}
					if i+1 >= len(args) {
						continue
					}
					file := args[i+1]
					switch {
					case sub == "simulate" && a == "--truth":
						made[file] = true
					case readsFlags[a] || sub == "backtest" && a == "--truth":
						_, statErr := os.Stat(filepath.Join(root, file))
						if !made[file] && statErr != nil && !strings.Contains(file, "$") {
							t.Errorf("README's seismo %s reads %s, which no earlier line makes and the repository does not have", sub, file)
						}
					}
				}
			}
			// kcat and shell redirections read files too.
			for _, m := range regexp.MustCompile(`(?:-l|<)\s+(\S+)`).FindAllStringSubmatch(line, -1) {
				if _, statErr := os.Stat(filepath.Join(root, m[1])); !made[m[1]] && statErr != nil && !strings.Contains(m[1], "$") {
					t.Errorf("README recipe %q reads %s, which no earlier line makes", strings.TrimSpace(line), m[1])
				}
			}
		}
	}

	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, d := range append(docs, filepath.Join(root, "README.md")) {
		body, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range regexp.MustCompile(`[A-Za-z_/.-]*[A-Za-z_-]+\.md\b`).FindAllString(string(body), -1) {
			_, inRoot := os.Stat(filepath.Join(root, name))
			_, beside := os.Stat(filepath.Join(filepath.Dir(d), name))
			if inRoot != nil && beside != nil {
				t.Errorf("%s names %s, which the repository does not have", filepath.Base(d), name)
			}
		}
	}
}

// seismoCommand returns the subcommand and its arguments when fields run
// seismo (built, or with go run).
func seismoCommand(f []string) (string, []string) {
	switch {
	case len(f) >= 2 && f[0] == "seismo":
		return f[1], f[2:]
	case len(f) >= 4 && f[0] == "go" && f[1] == "run" && f[2] == "./cmd/seismo":
		return f[3], f[4:]
	}
	return "", nil
}
