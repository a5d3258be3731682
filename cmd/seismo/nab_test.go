package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nabData is the backtest package's synthetic NAB data set (see its
// TestNAB): two files of 300 five-minute rows, one alert each.
const nabData = "../../backtest/testdata/nab"

// TestNAB checks what seismo nab prints and writes; the backtest package's
// TestNAB checks the same figures through its API.
func TestNAB(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runSeismo(t, context.Background(), "", "nab", "--data", nabData, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
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
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
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

func TestNABKnob(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"a knob changes the run", []string{"--knob", "MinReporters=5000", "--knob", "DangerReporters=5000"}, 0, "total   600       0       0/2", ""},
		{"several in one value", []string{"--knob", "MinReporters=5000  DangerReporters=5000"}, 0, "total   600       0       0/2", ""},
		{"durations and lists parse", []string{"--knob", "QuietFor=3h", "--knob", "ExtraWindows=10m,15m"}, 0, "total", ""},
		{"unknown knob", []string{"--knob", "Nope=1"}, 2, "", "no field Nope"},
		{"not a number", []string{"--knob", "MaxP=often"}, 2, "", "MaxP=often"},
		{"invalid config", []string{"--knob", "MaxP=2"}, 2, "", "MaxP must be in (0, 1)"},
		{"no equals sign", []string{"--knob", "MaxP"}, 2, "", "want Field=value"},
		{"one of several without equals sign", []string{"--knob", "MaxP=1e-5 QuietFor"}, 2, "", `want Field=value, got "QuietFor"`},
		{"empty", []string{"--knob", " "}, 2, "", "want Field=value"},
		{"a count that is not a number", []string{"--knob", "Samples=x"}, 2, "", "Samples=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"nab", "--data", nabData}, tt.args...)
			code, stdout, stderr := runSeismo(t, context.Background(), "", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stdout:\n%s\nstderr:\n%s\nwant %q and %q", stdout, stderr, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestNABErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := write("missing/combined_windows_x.json", `{"gone.csv": []}`)
	bad := write("bad/combined_windows_x.json", `{"a.csv": [["2015-01-01"]]}`)
	write("two/combined_windows_a.json", `{}`)
	write("two/combined_windows_b.json", `{}`)
	empty := write("empty/combined_windows_x.json", `{}`)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"--data is required", nil, 2, "--data is required"},
		{"no windows file", []string{"--data", dir}, 2, "found 0 combined_windows"},
		{"two windows files", []string{"--data", filepath.Join(dir, "two")}, 2, "found 2 combined_windows"},
		{"a listed file is missing", []string{"--data", filepath.Dir(missing)}, 1, "gone.csv"},
		{"bad windows", []string{"--data", filepath.Dir(bad)}, 1, "want [start, end]"},
		{"no files", []string{"--data", filepath.Dir(empty)}, 1, "no files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runSeismo(t, context.Background(), "", append([]string{"nab"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d (want %d); stderr lacks %q:\n%s", code, tt.code, tt.want, stderr)
			}
		})
	}
	// Help asked for is output.
	if code, stdout, _ := runSeismo(t, context.Background(), "", "nab", "--help"); code != 0 || !strings.Contains(stdout, "--knob") {
		t.Errorf("nab --help: exit %d, stdout lacks --knob:\n%s", code, stdout)
	}
}
