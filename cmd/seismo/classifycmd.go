package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/internal/profile"
)

// classifierFlags configure the classifier for every command that builds one.
type classifierFlags struct {
	languages string
	catalog   string
	model     string
	rulesOnly bool
	location  bool
}

func (c *classifierFlags) register(fs *flag.FlagSet) {
	c.registerLexicons(fs)
	fs.StringVar(&c.model, "model", "", "model file written by seismo train, to use instead of the built-in one")
	fs.BoolVar(&c.rulesOnly, "rules-only", false, "turn the learned stage off: the lexicons alone decide")
	fs.BoolVar(&c.location, "country-from-location", false, "give a post with no country the country of its free-text location when that names one\n(\"Milano, Italia\", \"Austin, TX\", a flag emoji), as sources such as seismo source mastodon fill it")
}

// registerLexicons registers the flags that choose what the lexicon stage
// knows, for seismo train, which makes the model the other flags choose.
func (c *classifierFlags) registerLexicons(fs *flag.FlagSet) {
	fs.StringVar(&c.languages, "languages", strings.Join(classify.DefaultLanguages, ","),
		"languages to identify, ISO 639-1 codes, comma-separated")
	fs.StringVar(&c.catalog, "catalog", "", "service catalog file to use instead of the built-in one")
}

// config reads the files the flags name into a classifier configuration.
func (c *classifierFlags) config() (cfg classify.Config, err error) {
	cfg = classify.Config{Languages: list(c.languages), RulesOnly: c.rulesOnly, CountryFromLocation: c.location}
	if cfg.Catalog, err = readNamed(c.catalog, "catalog"); err != nil {
		return cfg, err
	}
	cfg.Model, err = readNamed(c.model, "model")
	return cfg, err
}

// readNamed reads the file a flag names, or nothing when it names none.
func readNamed(name, what string) ([]byte, error) {
	if name == "" {
		return nil, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return b, nil
}

func (c *classifierFlags) build() (*classify.Classifier, error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	cls, err := classify.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cls, nil
}

func runClassify(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("classify", "classify [flags] < posts.jsonl > signals.jsonl", sio.err)
	var cf classifierFlags
	cf.register(fs)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof reads it)")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	stop, err := profile.Start(*cpuProfile, "")
	if err != nil {
		return err
	}
	cls, err := cf.build()
	if err == nil {
		err = cls.Lines(ctx, sio.in, sio.out)
	}
	return errors.Join(err, stop())
}
