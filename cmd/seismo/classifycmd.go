package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/seismo-dev/seismo/classify"
)

// classifierFlags configure the classifier for every command that builds one.
type classifierFlags struct {
	languages string
	catalog   string
	model     string
	rulesOnly bool
}

func (c *classifierFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.languages, "languages", strings.Join(classify.DefaultLanguages, ","),
		"languages to identify, ISO 639-1 codes, comma-separated")
	fs.StringVar(&c.catalog, "catalog", "", "service catalog file to use instead of the built-in one")
	fs.StringVar(&c.model, "model", "", "model file written by seismo train, to use instead of the built-in one")
	fs.BoolVar(&c.rulesOnly, "rules-only", false, "turn the learned stage off: the lexicons alone decide")
}

func (c *classifierFlags) build() (*classify.Classifier, error) {
	cfg := classify.Config{Languages: list(c.languages)}
	if c.catalog != "" {
		b, err := os.ReadFile(c.catalog)
		if err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		cfg.Catalog = b
	}
	if c.model != "" {
		b, err := os.ReadFile(c.model)
		if err != nil {
			return nil, fmt.Errorf("read model: %w", err)
		}
		cfg.Model = b
	}
	cfg.RulesOnly = c.rulesOnly
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
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	cls, err := cf.build()
	if err != nil {
		return err
	}
	return cls.Lines(ctx, sio.in, sio.out)
}
