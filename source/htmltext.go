package source

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText turns a Mastodon status's HTML into plain text: paragraphs and
// line breaks become new lines, links and mentions keep their visible text
// (Mastodon hides the scheme and the tail of long links in spans, which
// are text all the same), and entities are decoded. The text keeps what
// the entities spelled ("&lt;b&gt;" is "<b>"): it is text, and whoever
// shows it escapes it, as seismo's API and dashboard do.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skipDepth := 0 // inside <script> or <style>, which a status never has
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidyLines(b.String())
		case html.TextToken:
			if skipDepth == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Br:
				b.WriteByte('\n')
			case atom.P, atom.Div, atom.Blockquote, atom.Pre, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				b.WriteByte('\n')
			case atom.Script, atom.Style:
				skipDepth++
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.P, atom.Div, atom.Li, atom.Blockquote, atom.Pre, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				b.WriteByte('\n')
			case atom.Script, atom.Style:
				skipDepth = max(0, skipDepth-1)
			}
		}
	}
}

// tidyLines trims every line and keeps at most one empty line in a row.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	empty := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			empty++
			if empty > 1 || len(out) == 0 {
				continue
			}
		} else {
			empty = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
