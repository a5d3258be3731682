package main

import (
	"context"
	"fmt"
	"io"

	"github.com/seismo-dev/seismo/classify"
)

func runEval(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("eval", "eval --posts FILE [flags]", sio.err)
	postsFile := fs.String("posts", "", "labelled posts, JSON lines as in the project's labelled data (- for standard input)")
	misses := fs.Bool("misses", false, "also list every post the classifier got wrong, with its cues (not with --split test)")
	split := fs.String("split", "", "score only the posts of one split of the labelled corpus, by id: train, tune or test\n(test is frozen: its scores are looked at, never its misses)")
	var cf classifierFlags
	cf.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	switch {
	case *postsFile == "":
		return fmt.Errorf("%w: --posts is required", errUsage)
	case *split != "" && classify.CheckSplit(*split) != nil:
		return fmt.Errorf("%w: --split: %v", errUsage, classify.CheckSplit(*split))
	case *split == classify.SplitTest && *misses:
		return fmt.Errorf("%w: the test split is frozen: its misses are not listed", errUsage)
	}
	set, err := readLabelled(*postsFile, sio.in)
	if err != nil {
		return err
	}
	if *split != "" {
		set = classify.OfSplit(set, *split)
	}
	cls, err := cf.build()
	if err != nil {
		return err
	}
	rep := classify.Evaluate(cls, set)
	rep.WriteTable(sio.out)
	if *misses {
		fmt.Fprintln(sio.out)
		rep.WriteMisses(sio.out)
	}
	return ctx.Err()
}

// readLabelled reads a file of labelled posts (- for standard input).
func readLabelled(name string, stdin io.Reader) ([]classify.Labelled, error) {
	in, err := openInput(name, stdin)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	set, err := classify.ReadLabelled(in)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return set, nil
}
