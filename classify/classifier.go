package classify

import (
	"fmt"
	"sync"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/place"
)

// DefaultLanguages are ISO 639-1 codes: ar it fr en es pt de hi tr.
var DefaultLanguages = []string{"ar", "it", "fr", "en", "es", "pt", "de", "hi", "tr"}

// Config configures a Classifier.
type Config struct {
	// Languages restricts language identification to these ISO 639-1
	// codes; empty means DefaultLanguages. An unknown code is an error.
	Languages []string
	// Catalog is the content of a user's own service catalog file (the
	// JSON format of the embedded catalog.json); nil means the embedded
	// catalog.
	Catalog []byte
	// Model is a model file written by Train (seismo train); nil means the
	// embedded model, trained on the project's labelled corpus.
	Model []byte
	// RulesOnly turns the learned stage off: the lexicon's verdict stands.
	RulesOnly bool
	// CountryFromLocation gives a post that names a service and carries no
	// country the country of its free-text location, when the location
	// points at one (package place): "Milano, Italia" is IT.
	CountryFromLocation bool
}

// Classifier decides, for one post, which services it names, whether it
// complains that one is broken now or says one is back, and why. It is safe
// for concurrent use; build one with New and share it.
type Classifier struct {
	cat   *catalog
	lx    *lexicon
	lang  *langID
	model *model    // nil when rules only
	pool  sync.Pool // *analysis
	mask  langMask  // configured languages
	enBit langMask
	// learned is set when the learned stage runs, or is being trained:
	// posts naming only ambiguous aliases then reach it too.
	learned bool
	places  *place.Resolver // nil unless CountryFromLocation
}

// lowAccuracy selects lingua's low-accuracy mode: about 8 MB of models
// instead of about 130 MB. The lexicon votes recover most of what the
// high-accuracy mode adds on short posts.
const lowAccuracy = true

// New builds a Classifier: it parses the catalog and the lexicons and
// builds the lingua language detector, which is expensive, once.
func New(cfg Config) (*Classifier, error) {
	data := cfg.Catalog
	if data == nil {
		data = defaultCatalog
	}
	cat, err := parseCatalog(data)
	if err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	lx, err := loadLexicons()
	if err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	lang, err := newLangID(cfg.Languages, lowAccuracy)
	if err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	c := &Classifier{cat: cat, lx: lx, lang: lang, mask: lang.mask, enBit: langBit("en")}
	if cfg.CountryFromLocation {
		c.places = place.Default()
	}
	if !cfg.RulesOnly {
		data := cfg.Model
		if data == nil {
			data = defaultModel
		}
		if c.model, err = parseModel(data); err != nil {
			return nil, fmt.Errorf("classify: %w", err)
		}
		c.learned = true
	}
	c.pool.New = func() any { return new(analysis) }
	return c, nil
}

// Services returns the catalog: id, display name and parent company of
// every service, in catalog order.
func (c *Classifier) Services() []seismo.Service {
	out := make([]seismo.Service, len(c.cat.services))
	copy(out, c.cat.services)
	return out
}

// Classify returns the verdict on one post. It never panics and does
// bounded work whatever the text; a nil post gets an empty verdict.
func (c *Classifier) Classify(p *seismo.Post) seismo.Signal {
	if p == nil {
		return seismo.Signal{Services: []string{}, Cues: []seismo.Cue{}}
	}
	a := c.pool.Get().(*analysis)
	defer c.pool.Put(a)
	a.reset()
	return c.classify(a, p)
}
