package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/detect"
)

// seismo runs the command in-process like a user would.
func runSeismo(t *testing.T, ctx context.Context, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpAndUsage(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		args       []string
		code       int
		wantStderr string
		wantStdout string
	}{
		{nil, 2, "Commands:", ""},
		{[]string{"help"}, 0, "", "demo"},
		{[]string{"nope"}, 2, `unknown command "nope"`, ""},
		{[]string{"demo", "--help"}, 0, "", "SEISMO_HTTP_ADDR"},
		{[]string{"run", "--help"}, 0, "", "--kafka-brokers"},
		{[]string{"run", "-h"}, 0, "", "SEISMO_REDIS_ADDR"},
		{[]string{"broker", "--help"}, 0, "", "--data-dir"},
		{[]string{"backtest", "--help"}, 0, "", "--posts"},
		{[]string{"classify", "--help"}, 0, "", "--languages"},
		{[]string{"eval", "--help"}, 0, "", "--misses"},
		{[]string{"eval"}, 2, "--posts is required", ""},
		{[]string{"train", "--help"}, 0, "", "--text-l2"},
		{[]string{"train", "--posts", "x.jsonl"}, 2, "--out is required", ""},
		{[]string{"train", "--posts", "x.jsonl", "--out", "m.bin", "--rate", "0"}, 2, "--rate must be", ""},
		{[]string{"classify", "--model", "no-such-model.bin"}, 1, "read model", ""},
		{[]string{"backtest"}, 2, "--posts or --series is required", ""},
		{[]string{"backtest", "--posts", "x.jsonl", "--knob", "Bogus=1"}, 2, "detect.Config has no field Bogus", ""},
		{[]string{"run", "--knob", "MaxP=2"}, 2, "MaxP must be in (0, 1)", ""},
		{[]string{"demo", "--knob", "MinReporters"}, 2, "want Field=value", ""},
		{[]string{"run", "--bogus"}, 2, "flag provided but not defined", ""},
		{[]string{"run", "stray"}, 2, `unexpected argument "stray"`, ""},
		{[]string{"demo", "--speed", "-1"}, 2, "--speed must not be negative", ""},
		{[]string{"run", "--detect-shards", "0"}, 2, "--detect-shards 0: want 1 to 1024", ""},
		{[]string{"status", "--redis-addr", "127.0.0.1:1", "--redis-cluster", "--redis-db", "3"}, 2, "Redis Cluster has database 0 only", ""},
		{[]string{"healthcheck", "--url", "notaurl"}, 2, "want an absolute http or https URL", ""},
		{[]string{"broker", "--partitions", "0"}, 2, "--partitions must be", ""},
		{[]string{"classify", "--languages", "ar,xx"}, 2, "xx", ""},
		{[]string{"bench", "--help"}, 0, "", "FLUSHED"},
		{[]string{"bench", "--flush-redis-addr", "10.1.2.3:6379"}, 2, "must be a loopback address", ""},
		{[]string{"bench", "--relevant", "2"}, 2, "relevant in [0, 1]", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runSeismo(t, ctx, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if n := strings.Count(stderr, tt.wantStderr); tt.code == 2 && tt.wantStderr != "" && n > 1 {
				t.Errorf("stderr says %q %d times:\n%s", tt.wantStderr, n, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, stdout)
			}
			if tt.code == 0 && tt.wantStdout != "" && stderr != "" {
				t.Errorf("help also wrote to stderr:\n%s", stderr)
			}
		})
	}
}

func TestEnvironmentFillsFlags(t *testing.T) {
	env := map[string]string{"SEISMO_REDIS_ADDR": "redis.internal:6380", "SEISMO_HTTP_ADDR": ":9999"}
	getenv := func(k string) string { return env[k] }
	var sf serveFlags
	fs := newFlagSet("run", "run", io.Discard)
	sf.register(fs)
	if err := parse(fs, []string{"--http-addr", ":7000"}, getenv); err != nil {
		t.Fatal(err)
	}
	if sf.redis.addr != "redis.internal:6380" {
		t.Errorf("redis addr = %q, want the environment's", sf.redis.addr)
	}
	if sf.httpAddr != ":7000" {
		t.Errorf("http addr = %q, want the flag to win over the environment", sf.httpAddr)
	}
	env["SEISMO_LATENESS"] = "soon"
	fs = newFlagSet("run", "run", io.Discard)
	sf.register(fs)
	if err := parse(fs, nil, getenv); err == nil || !strings.Contains(err.Error(), "SEISMO_LATENESS") {
		t.Errorf("bad env value: err = %v", err)
	}
	if err := parse(newFlagSet("x", "x", io.Discard), []string{"-h"}, getenv); err != flag.ErrHelp {
		t.Errorf("-h: err = %v, want flag.ErrHelp", err)
	}
}

func TestClassifyOneLineOutPerLineIn(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","text":"is WhatsApp down? messages won't send","lang":"en","country":"gb"}`,
		`{"id":"b","text":"good morning everyone"}`,
		`not json`,
		``,
		"{\"id\":\"c\",\"text\":\"caf\xe9\"}",
		`{"id":"d","text":""}`,
		`{"id":"e","text":"` + strings.Repeat("x", 70_000) + `"}`,
		`{"id":"f","text":"o zap caiu de novo"}`,
	}, "\n") + "\n"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, stdout, stderr := runSeismo(t, ctx, in, "classify")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines out for 8 in:\n%s", len(lines), stdout)
	}
	type out struct {
		ID        string   `json:"id"`
		Services  []string `json:"services"`
		Complaint bool     `json:"complaint"`
		Cues      []any    `json:"cues"`
		Error     string   `json:"error"`
		Line      int      `json:"line"`
	}
	var got []out
	for _, l := range lines {
		var o out
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("output line %q is not JSON: %v", l, err)
		}
		got = append(got, o)
	}
	if got[0].ID != "a" || !got[0].Complaint || len(got[0].Services) != 1 || got[0].Services[0] != "whatsapp" {
		t.Errorf("line 1 = %+v, want a WhatsApp complaint", got[0])
	}
	if got[1].ID != "b" || got[1].Complaint || got[1].Error != "" {
		t.Errorf("line 2 = %+v, want a plain non-complaint", got[1])
	}
	for i, prefix := range map[int]string{2: "bad_json", 3: "bad_json", 4: "invalid_utf8", 5: "missing_text", 6: "too_large"} {
		if !strings.HasPrefix(got[i].Error, prefix) || got[i].Line != i+1 {
			t.Errorf("line %d = %+v, want error %s", i+1, got[i], prefix)
		}
	}
	if got[7].ID != "f" || got[7].Error != "" {
		t.Errorf("line 8 = %+v", got[7])
	}
}

func TestEnvironmentHoldsSeveralKnobs(t *testing.T) {
	env := map[string]string{"SEISMO_KNOB": "MinReporters=6 QuietFor=20m ExtraWindows=1m,15m"}
	var knobs detect.Knobs
	fs := newFlagSet("run", "run", io.Discard)
	fs.Var(&knobs, "knob", knobUsage)
	if err := parse(fs, nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	cfg, err := knobConfig(knobs, detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinReporters != 6 || cfg.QuietFor != 20*time.Minute || !slices.Equal(cfg.ExtraWindows, []time.Duration{time.Minute, 15 * time.Minute}) {
		t.Errorf("config = MinReporters %d, QuietFor %s, ExtraWindows %v; want 6, 20m, [1m 15m]",
			cfg.MinReporters, cfg.QuietFor, cfg.ExtraWindows)
	}
}

// JSON logs print durations as a person writes them.
func TestJSONLogDurations(t *testing.T) {
	var buf bytes.Buffer
	log, err := (&logFlags{level: "info", format: "json"}).logger(&buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("leading", "ttl", 15*time.Second, slog.Group("g", "wait", 1500*time.Millisecond))
	for _, want := range []string{`"ttl":"15s"`, `"wait":"1.5s"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log line lacks %s: %s", want, buf.String())
		}
	}
}

// seismo train writes a model that --model gives to eval, and eval scores
// it like the built-in one.
func TestTrainThenEval(t *testing.T) {
	files, err := filepath.Glob("../../classify/testdata/tune/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("tuning set: %v %v", files, err)
	}
	var posts strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		posts.Write(b)
	}
	model := filepath.Join(t.TempDir(), "model.bin")
	ctx := context.Background()
	code, stdout, stderr := runSeismo(t, ctx, posts.String(), "train", "--posts", "-", "--out", model)
	if code != 0 || !strings.Contains(stdout, "wrote "+model) {
		t.Fatalf("train: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runSeismo(t, ctx, posts.String(), "eval", "--posts", "-", "--split", "train", "--model", model)
	if code != 0 {
		t.Fatalf("eval: exit %d\n%s", code, stderr)
	}
	var f1 float64
	for _, line := range strings.Split(stdout, "\n") {
		if rest, ok := strings.CutPrefix(line, "complaint F1 averaged over 9 languages "); ok {
			fmt.Sscanf(rest, "%f", &f1)
		}
	}
	// Posts it was trained on: a model that learned anything fits them.
	if f1 < 0.9 {
		t.Errorf("complaint F1 on the posts it was trained on %.3f:\n%s", f1, stdout)
	}
}
