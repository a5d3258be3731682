package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

// scenarioYAML is a short scenario for the command tests: half a day of
// warm-up and an outage no detector could miss.
const scenarioYAML = `
name: cmd-test
seed: 5
start: 2024-05-01T00:00:00Z
end: 2024-05-01T14:00:00Z
services:
  whatsapp: {baseline: 0.05}
countries:
  GB: {tz: Europe/London, langs: {en: 1}, chatter: 3}
  BR: {tz: America/Sao_Paulo, langs: {pt: 1}, chatter: 3}
outages:
  - name: big
    start: 2024-05-01T12:00:00Z
    duration: 30m
    ramp: 2m
    reporters:
      whatsapp: {GB: 600, BR: 600}
spam:
  - {country: GB, service: whatsapp, start: 2024-05-01T09:00:00Z, duration: 30m, posts: 200}
`

func TestSimulateScenarioFileAndBacktestTruth(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "scenario.yaml")
	truthFile := filepath.Join(dir, "truth.json")
	posts := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(scenario, []byte(scenarioYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code, stdout, stderr := runSeismo(t, ctx, "", "simulate", "--scenario", scenario, "--truth", truthFile)
	if code != 0 {
		t.Fatalf("simulate exited %d:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for _, l := range lines {
		if _, err := seismo.DecodePost([]byte(l)); err != nil {
			t.Fatalf("simulate wrote %q: %v", l, err)
		}
	}
	data, err := os.ReadFile(truthFile)
	if err != nil {
		t.Fatal(err)
	}
	var truth simulate.Truth
	if err := json.Unmarshal(data, &truth); err != nil {
		t.Fatal(err)
	}
	if len(truth.Outages) != 1 || strings.Join(truth.Outages[0].Countries, ",") != "BR,GB" || len(truth.Bursts) != 1 {
		t.Errorf("truth = %s", data)
	}
	if err := os.WriteFile(posts, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runSeismo(t, ctx, "", "backtest", "--posts", posts, "--truth", truthFile)
	if code != 0 {
		t.Fatalf("backtest exited %d:\n%s", code, stderr)
	}
	for _, want := range []string{"truth: outage big, whatsapp, 2024-05-01T12:00:00Z to 2024-05-01T12:30:00Z",
		"  BR found, latency ", "  GB found, latency ", "truth: 1/1 outages detected", "countries found 2/2 (100%)",
		"incidents from spam or news bursts",
		"after start)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("backtest summary lacks %q:\n%s", want, stderr)
		}
	}
}

func TestSimulateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badField := write("bad-field.yaml", strings.Replace(scenarioYAML, "ramp: 2m", "ramp: 2m\n    peek: 3", 1))
	badService := write("bad-service.yaml", strings.Replace(scenarioYAML, "whatsapp: {GB: 600", "myspace: {GB: 600", 1))
	badTruth := write("truth.json", `{"outages": [{"service": "whatsapp"}]}`)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown scenario", []string{"simulate", "--scenario", "nope"}, []string{"neither a built-in scenario", "quiet-week"}},
		{"unknown field", []string{"simulate", "--scenario", badField}, []string{"outages[0].peek: unknown field", "line 16"}},
		{"service not in the catalog", []string{"simulate", "--scenario", badService}, []string{`outages[0].reporters.myspace: "myspace" is not a service of the catalog`}},
		{"bad truth", []string{"backtest", "--posts", badField, "--truth", badTruth}, []string{"truth: outages[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runSeismo(t, context.Background(), "", tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestSimulateBuiltinByName(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, stdout, stderr := runSeismo(t, ctx, "", "simulate", "--scenario", "italy-evening-short")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	first, _, _ := strings.Cut(stdout, "\n")
	p, err := seismo.DecodePost([]byte(first))
	if err != nil || !p.CreatedAt.Truncate(time.Minute).Equal(time.Date(2024, 10, 19, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("first post %q (%v): want one from the scenario's first minute", first, err)
	}
	if n := strings.Count(stdout, "\n"); n < 10_000 {
		t.Errorf("%d posts", n)
	}
}
