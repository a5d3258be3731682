package main

import (
	"context"
	"fmt"
	"os"

	"github.com/seismo-dev/seismo/classify"
)

func runTrain(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("train", "train --posts FILE --out FILE [flags]", sio.err)
	postsFile := fs.String("posts", "", "labelled posts, JSON lines as in the project's labelled data (- for standard input);\nposts of the train split (by id) are learned from, those of the tune split calibrate,\nthose of the test split are left alone")
	out := fs.String("out", "", "model file to write, for --model (the built-in one is classify/model.bin)")
	var cf classifierFlags
	cf.registerLexicons(fs)
	epochs := fs.Int("epochs", classify.DefaultTrainOptions.Epochs, "passes over the training posts")
	rate := fs.Float64("rate", classify.DefaultTrainOptions.Rate, "AdaGrad's base learning rate")
	l2 := fs.Float64("l2", classify.DefaultTrainOptions.L2, "weight decay per update of the lexicon features")
	textL2 := fs.Float64("text-l2", classify.DefaultTrainOptions.TextL2, "weight decay per update of the word and character n-grams")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	switch {
	case *postsFile == "":
		return fmt.Errorf("%w: --posts is required", errUsage)
	case *out == "":
		return fmt.Errorf("%w: --out is required", errUsage)
	case *epochs < 1 || *epochs > 1000:
		return fmt.Errorf("%w: --epochs must be 1 to 1000", errUsage)
	case !(*rate > 0 && *rate <= 10) || !(*l2 >= 0 && *l2 < 1) || !(*textL2 >= 0 && *textL2 < 1):
		return fmt.Errorf("%w: --rate must be in (0, 10], --l2 and --text-l2 in [0, 1)", errUsage)
	}
	set, err := readLabelled(*postsFile, sio.in)
	if err != nil {
		return err
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	opt := classify.DefaultTrainOptions
	opt.Epochs, opt.Rate, opt.L2, opt.TextL2 = *epochs, *rate, *l2, *textL2
	model, rep, err := classify.Train(cfg, classify.OfSplit(set, classify.SplitTrain), classify.OfSplit(set, classify.SplitTune), opt)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		return err
	}
	rep.Write(sio.out)
	fmt.Fprintf(sio.out, "wrote %s (%d bytes)\n", *out, len(model))
	return ctx.Err()
}
