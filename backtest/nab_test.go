package backtest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/backtest/nab"
	"github.com/seismo-dev/seismo/detect"
)

// The synthetic data set has two files of 300 five-minute rows (probation:
// 45 rows). spike.csv has a burst at rows 200-205 inside its window (rows
// 180-230); miss.csv has the same burst at rows 100-105, before its window
// (rows 240-280), which holds nothing.
const nabData = "testdata/nab"

// nabWindows reads the data set's windows file.
func nabWindows(t *testing.T) map[string][]nab.Window {
	t.Helper()
	f, err := os.Open(filepath.Join(nabData, "combined_windows_synthetic.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	windows, err := nab.ReadWindows(f)
	if err != nil {
		t.Fatal(err)
	}
	return windows
}

func TestNAB(t *testing.T) {
	out := t.TempDir()
	rep, err := backtest.NAB(context.Background(), backtest.NABOptions{Config: detect.SeriesConfig(), DataDir: nabData,
		Windows: nabWindows(t), OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	// Worked by hand from NAB's rules: the spike's alert at row 200 of a
	// 51-row window ending at row 230 sits at x = -31/51 and earns
	// σ(x)/σ(-1) = 0.921; the early alert in miss.csv costs the full FP
	// weight before any window, and its window the FN weight. The total
	// raw score -0.189 over two windows normalises to 100·(2-0.189)/4.
	for _, want := range []string{
		"synthetic/spike.csv   300       1       1/1          0         0.921       0.921       0.921",
		"synthetic/miss.csv   300       1       0/1          1        -1.110      -1.220      -2.110",
		"total   600       2       1/2          1        -0.189      -0.299      -1.189",
		"standard 45.3  reward_low_FP_rate 42.5  reward_low_FN_rate 46.8",
	} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	for file, alertRow := range map[string]int{"synthetic/spike.csv": 200, "synthetic/miss.csv": 100} {
		b, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 301 || lines[0] != "timestamp,value,alert" {
			t.Fatalf("%s: %d lines, header %q", file, len(lines), lines[0])
		}
		for i, l := range lines[1:] {
			if alert := strings.HasSuffix(l, ",1"); alert != (i == alertRow) {
				t.Errorf("%s row %d: %q", file, i, l)
			}
		}
	}
}

func TestNABMissingFile(t *testing.T) {
	_, err := backtest.NAB(context.Background(), backtest.NABOptions{Config: detect.SeriesConfig(), DataDir: t.TempDir(),
		Windows: map[string][]nab.Window{"gone.csv": nil}})
	if err == nil || !strings.Contains(err.Error(), "gone.csv") {
		t.Errorf("err = %v, want one naming gone.csv", err)
	}
}
