package backtest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/seismo-dev/seismo/backtest/nab"
	"github.com/seismo-dev/seismo/detect"
)

// NABOptions configure a run over a NAB corpus.
type NABOptions struct {
	// Config configures the series detector, as detect.SeriesConfig does.
	Config detect.Config
	// DataDir is the corpus' data directory; the paths in Windows are
	// relative to it, with forward slashes.
	DataDir string
	// Windows are the labelled anomaly windows of each data file, as
	// nab.ReadWindows returns them. Every file named is run, and only those.
	Windows map[string][]nab.Window
	// OutDir, if not empty, receives each file's alerts as the CSV
	// Series.WriteAlerts writes, under the file's relative path.
	OutDir string
}

// NABFile is the outcome of one data file.
type NABFile struct {
	// Path is the file's path relative to the data directory.
	Path string
	// Rows is the number of buckets in the file.
	Rows int
	// Scores are the file's scores, one per profile in nab.Profiles order.
	Scores []nab.FileScore
}

// NABReport is the outcome of a run over a corpus.
type NABReport struct {
	// Files are the data files in order of their paths.
	Files []NABFile
	// Corpus totals the files' scores per profile.
	Corpus nab.Corpus
}

// NAB runs the series detector over every data file of a NAB corpus and
// scores its alerts as NAB does, under each of NAB's profiles. Files are
// run one after the other; the first error ends the run.
func NAB(ctx context.Context, opt NABOptions) (*NABReport, error) {
	rep := &NABReport{}
	for _, rel := range slices.Sorted(maps.Keys(opt.Windows)) {
		f, err := nabFile(ctx, opt, rel)
		if err != nil {
			return nil, err
		}
		for k, p := range nab.Profiles() {
			rep.Corpus.Add(p, f.Scores[k])
		}
		rep.Files = append(rep.Files, f)
	}
	return rep, nil
}

// nabFile detects on one data file and scores its alerts.
func nabFile(ctx context.Context, opt NABOptions, rel string) (NABFile, error) {
	path := filepath.Join(opt.DataDir, filepath.FromSlash(rel))
	f, err := os.Open(path)
	if err != nil {
		return NABFile{}, err
	}
	defer f.Close()
	s, err := ReadSeries(f, rel)
	if err != nil {
		return NABFile{}, err
	}
	alerts, err := s.Detect(ctx, opt.Config)
	if err != nil {
		return NABFile{}, fmt.Errorf("%s: %w", rel, err)
	}
	if opt.OutDir != "" {
		if err := writeAlertFile(filepath.Join(opt.OutDir, filepath.FromSlash(rel)), s, alerts); err != nil {
			return NABFile{}, err
		}
	}
	times := s.times()
	res := NABFile{Path: rel, Rows: s.Len()}
	for _, p := range nab.Profiles() {
		sc, err := nab.Score(times, alerts, opt.Windows[rel], p)
		if err != nil {
			return NABFile{}, fmt.Errorf("%s: %w", rel, err)
		}
		res.Scores = append(res.Scores, sc)
	}
	return res, nil
}

func writeAlertFile(path string, s *Series, alerts []bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := s.WriteAlerts(f, alerts); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// WriteTable writes the report as seismo nab prints it: a table of every
// file's rows, alerts, windows detected, false positives and raw score per
// profile, their total, and the corpus' normalised score per profile.
func (r *NABReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\trows\talerts\tdetected\tfalse pos\traw standard\traw low FP\traw low FN\t")
	var rows, alerts, detected, fps, nwin int
	for _, f := range r.Files {
		st := f.Scores[0]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d/%d\t%d\t%.3f\t%.3f\t%.3f\t\n", f.Path, f.Rows, st.Alerts, st.Detected, st.Windows,
			st.FalsePositives, f.Scores[0].Raw, f.Scores[1].Raw, f.Scores[2].Raw)
		rows, alerts, detected, fps, nwin = rows+f.Rows, alerts+st.Alerts, detected+st.Detected, fps+st.FalsePositives, nwin+st.Windows
	}
	p := nab.Profiles()
	fmt.Fprintf(tw, "total\t%d\t%d\t%d/%d\t%d\t%.3f\t%.3f\t%.3f\t\n", rows, alerts, detected, nwin, fps,
		r.Corpus.Raw(p[0]), r.Corpus.Raw(p[1]), r.Corpus.Raw(p[2]))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nNAB score (0 = no alerts, 100 = perfect):")
	for _, p := range p {
		fmt.Fprintf(w, "  %s %.1f", p.Name, r.Corpus.Score(p))
	}
	fmt.Fprintln(w)
	return nil
}
