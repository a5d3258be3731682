package classify

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/seismo-dev/seismo"
)

//go:embed catalog.json
var defaultCatalog []byte

// catalogFile is the on-disk form of a service catalog.
type catalogFile struct {
	Comment  string           `json:"comment"`
	Services []catalogService `json:"services"`
}

type catalogService struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Parent    string   `json:"parent"`
	Aliases   []string `json:"aliases"`
	Ambiguous []string `json:"ambiguous"`
	Hashtags  []string `json:"hashtags"`
}

var serviceID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// aliasVal is what an alias stands for.
type aliasVal struct {
	svc       int
	ambiguous bool
}

// multiAlias is an alias of several tokens, keyed by its first token.
type multiAlias struct {
	rest []string
	val  aliasVal
}

// catalog is the compiled service catalog: a byte trie of one-token
// aliases for the fast path, a token map for multi-token aliases and a map
// of whole hashtags.
type catalog struct {
	services []seismo.Service
	single   byteTrie
	multi    map[string][]multiAlias
	hashtags map[string]int
}

// parseCatalog decodes and compiles a catalog file. Errors name the
// service and the field so a user can fix their file.
func parseCatalog(data []byte) (*catalog, error) {
	var f catalogFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	if dec.More() {
		return nil, errors.New("parse catalog: trailing data after the JSON object")
	}
	if len(f.Services) == 0 {
		return nil, errors.New("catalog has no services")
	}
	c := &catalog{
		multi:    make(map[string][]multiAlias),
		hashtags: make(map[string]int),
	}
	c.single.init()
	seenID := make(map[string]bool)
	owner := make(map[string]string) // folded alias -> service id
	for i, s := range f.Services {
		switch {
		case !serviceID.MatchString(s.ID):
			return nil, fmt.Errorf("catalog service %d: id %q must be lower-case letters, digits, - or _", i, s.ID)
		case seenID[s.ID]:
			return nil, fmt.Errorf("catalog service %q: duplicate id", s.ID)
		case strings.TrimSpace(s.Name) == "":
			return nil, fmt.Errorf("catalog service %q: name is required", s.ID)
		case strings.TrimSpace(s.Parent) == "":
			return nil, fmt.Errorf("catalog service %q: parent is required", s.ID)
		case len(s.Aliases)+len(s.Ambiguous) == 0:
			return nil, fmt.Errorf("catalog service %q: needs at least one alias", s.ID)
		}
		seenID[s.ID] = true
		idx := len(c.services)
		c.services = append(c.services, seismo.Service{ID: s.ID, Name: s.Name, Parent: s.Parent})
		add := func(alias string, ambiguous bool) error {
			toks := normalizePhrase(alias)
			if len(toks) == 0 {
				return fmt.Errorf("catalog service %q: alias %q has no letters or digits", s.ID, alias)
			}
			// Arabic aliases match without the article, as post tokens
			// are also tried without it.
			for j, t := range toks {
				if strings.HasPrefix(t, arArticle) && utf8.RuneCountInString(t) > 3 {
					toks[j] = t[len(arArticle):]
				}
			}
			key := strings.Join(toks, " ")
			if o, ok := owner[key]; ok {
				if o == s.ID {
					return nil // the same spelling twice after folding
				}
				return fmt.Errorf("catalog service %q: alias %q already belongs to %q", s.ID, alias, o)
			}
			owner[key] = s.ID
			v := aliasVal{svc: idx, ambiguous: ambiguous}
			if len(toks) == 1 {
				c.single.insert([]byte(toks[0]), v)
				return nil
			}
			c.multi[toks[0]] = append(c.multi[toks[0]], multiAlias{rest: toks[1:], val: v})
			return nil
		}
		for _, a := range s.Aliases {
			if err := add(a, false); err != nil {
				return nil, err
			}
		}
		for _, a := range s.Ambiguous {
			if err := add(a, true); err != nil {
				return nil, err
			}
		}
		for _, h := range s.Hashtags {
			toks := normalizePhrase(strings.TrimPrefix(h, "#"))
			if len(toks) != 1 {
				return nil, fmt.Errorf("catalog service %q: hashtag %q must be one word", s.ID, h)
			}
			if o, ok := c.hashtags[toks[0]]; ok && o != idx {
				return nil, fmt.Errorf("catalog service %q: hashtag %q already belongs to %q", s.ID, h, c.services[o].ID)
			}
			c.hashtags[toks[0]] = idx
		}
	}
	return c, nil
}

// byteTrie maps byte strings to alias values and finds every alias that is
// a prefix of a token in one walk.
type byteTrie struct {
	nodes []btNode
	vals  []aliasVal
}

type btNode struct {
	edges []btEdge
	val   int32 // index into vals, or -1
}

type btEdge struct {
	b  byte
	to int32
}

func (t *byteTrie) init() {
	t.nodes = append(t.nodes[:0], btNode{val: -1})
}

// child returns the node reached from n by byte b, or -1.
func (t *byteTrie) child(n int32, b byte) int32 {
	for _, e := range t.nodes[n].edges {
		if e.b == b {
			return e.to
		}
	}
	return -1
}

func (t *byteTrie) insert(key []byte, v aliasVal) {
	n := int32(0)
	for _, b := range key {
		next := t.child(n, b)
		if next < 0 {
			next = int32(len(t.nodes))
			t.nodes = append(t.nodes, btNode{val: -1})
			t.nodes[n].edges = append(t.nodes[n].edges, btEdge{b: b, to: next})
		}
		n = next
	}
	if t.nodes[n].val < 0 {
		t.nodes[n].val = int32(len(t.vals))
		t.vals = append(t.vals, v)
	}
}

// prefixes calls fn for each alias that is a prefix of key, shortest
// first, with the length of the alias. It stops when fn returns false.
func (t *byteTrie) prefixes(key []byte, fn func(n int, v aliasVal) bool) {
	if len(t.nodes) == 0 {
		return
	}
	n := int32(0)
	for i, b := range key {
		next := t.child(n, b)
		if next < 0 {
			return
		}
		n = next
		if v := t.nodes[n].val; v >= 0 {
			if !fn(i+1, t.vals[v]) {
				return
			}
		}
	}
}

// lookup returns the value stored for exactly key.
func (t *byteTrie) lookup(key []byte) (aliasVal, bool) {
	var out aliasVal
	found := false
	t.prefixes(key, func(n int, v aliasVal) bool {
		if n == len(key) {
			out, found = v, true
		}
		return true
	})
	return out, found
}
