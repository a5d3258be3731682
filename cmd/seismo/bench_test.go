package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/internal/redistest"
)

// TestBench runs `seismo bench` on a small firehose: the plain consumer
// and the seismo run process must both handle every post (the command
// fails otherwise), and the table must carry their rates, the ratio,
// the peak RSS and the Redis commands per post.
func TestBench(t *testing.T) {
	redistest.Require(t, "redis-server")
	bin := seismoBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"bench", "--posts", "20000", "--relevant", "0.2", "--seismo", bin}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	t.Logf("\n%s", out.String())
	num := func(re string) float64 {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("output lacks %s:\n%s", re, out.String())
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if n := num(`posts (\d+),`); n != 20000 {
		t.Errorf("posts %v, want 20000", n)
	}
	plain := num(`plain consumer \(kafka-go reader\)\s+(\d+)`)
	seismo := num(`seismo run, Kafka to Redis\s+(\d+)`)
	ratio := num(`seismo run, Kafka to Redis\s+\d+\s+([\d.]+)x`)
	if plain <= 0 || seismo <= 0 {
		t.Fatalf("rates %v and %v", plain, seismo)
	}
	if want := seismo / plain; ratio < want*0.99-0.01 || ratio > want*1.01+0.01 {
		t.Errorf("ratio %v, but the rates give %v", ratio, want)
	}
	if rss := num(`peak RSS (\d+) MB`); rss < 10 {
		t.Errorf("peak RSS %v MB: not a measurement of a whole process", rss)
	}
	// A fifth of the posts name a service and a third of those complain,
	// so Redis did some work for them.
	if cmds := num(`([\d.]+) Redis commands per post`); cmds <= 0 {
		t.Errorf("%v Redis commands per post: nothing was counted", cmds)
	}
}

// TestBenchAPI runs `seismo bench api` briefly: every kind of request must
// be made and answered (the command fails on any error), and the table
// must carry the quantiles of each.
func TestBenchAPI(t *testing.T) {
	redistest.Require(t, "redis-server")
	bin := seismoBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	// A small built-in scenario: the replay that fills the store runs in
	// this process, under the race detector.
	code := run(ctx, []string{"bench", "api", "--clients", "20", "--duration", "2s", "--scenario", "whatsapp-night-bahrain", "--seismo", bin},
		strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	t.Logf("\n%s", out.String())
	if m := regexp.MustCompile(`store: \d+ posts of scenario whatsapp-night-bahrain, (\d+) incidents`).FindStringSubmatch(out.String()); m == nil || m[1] == "0" {
		t.Errorf("the store holds no incidents to read:\n%s", out.String())
	}
	rows := regexp.MustCompile(`(?m)^(GET \S+.*?)\s+(\d+)\s+(\d+)\s+[\d.]+\s+([\d.]+)ms\s+([\d.]+)ms\s+([\d.]+)ms\s+([\d.]+)ms$`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 9 {
		t.Fatalf("%d request rows, want 9:\n%s", len(rows), out.String())
	}
	for _, r := range rows {
		n, _ := strconv.Atoi(r[2])
		p50, _ := strconv.ParseFloat(r[4], 64)
		p99, _ := strconv.ParseFloat(r[6], 64)
		if n == 0 || r[3] != "0" || p50 <= 0 || p99 < p50 {
			t.Errorf("%s: %d requests, %s errors, p50 %vms, p99 %vms", r[1], n, r[3], p50, p99)
		}
	}
}

// TestBenchClassify runs `seismo bench classify` on a small file: every
// way through it must finish, and the table must carry each rate and the
// ratios to the decode-only pass and to the peer.
func TestBenchClassify(t *testing.T) {
	bin := seismoBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"bench", "classify", "--posts", "5000", "--relevant", "0.1", "--seismo", bin},
		strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	t.Logf("\n%s", out.String())
	rows := regexp.MustCompile(`(?m)^(\S.*?)\s+(\d+)\s+([\d.]+)x\s+([\d.]+)x\s+([\d.]+)$`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5:\n%s", len(rows), out.String())
	}
	rate := map[string]float64{}
	for _, r := range rows {
		v, _ := strconv.ParseFloat(r[2], 64)
		cpu, _ := strconv.ParseFloat(r[5], 64)
		if v <= 0 || cpu <= 0 {
			t.Errorf("%s: %v posts/s, %v µs CPU a post", r[1], v, cpu)
		}
		rate[r[1]] = v
	}
	ref, peer := rate["decode only, encoding/json"], rate["regexp + lingua-go peer"]
	for _, r := range rows {
		v := rate[r[1]]
		vsRef, _ := strconv.ParseFloat(r[3], 64)
		vsPeer, _ := strconv.ParseFloat(r[4], 64)
		if ref == 0 || peer == 0 || !near(vsRef, v/ref) || !near(vsPeer, v/peer) {
			t.Errorf("%s: ratios %vx and %vx, but the rates give %v and %v", r[1], vsRef, vsPeer, v/ref, v/peer)
		}
	}
}

// near reports whether a printed ratio is the ratio to two decimals.
func near(printed, want float64) bool { return printed > want*0.99-0.01 && printed < want*1.01+0.01 }

// TestBenchSoak runs `seismo bench soak` briefly: every post produced must
// be handled (the command fails otherwise), and the table must sample the
// lag and memory and sum them up.
func TestBenchSoak(t *testing.T) {
	redistest.Require(t, "redis-server")
	bin := seismoBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"bench", "soak", "--rate", "5000", "--duration", "5s", "--every", "1s", "--seismo", bin},
		strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	t.Logf("\n%s", out.String())
	samples := regexp.MustCompile(`(?m)^\s+\d+s\s+(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s+(\d+)$`).FindAllStringSubmatch(out.String(), -1)
	if len(samples) < 4 {
		t.Fatalf("%d samples, want one a second:\n%s", len(samples), out.String())
	}
	m := regexp.MustCompile(`produced (\d+) posts in \S+ \((\d+) posts/s, asked 5000\); seismo run handled every one`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no summary:\n%s", out.String())
	}
	produced, _ := strconv.Atoi(m[1])
	rate, _ := strconv.Atoi(m[2])
	if last := samples[len(samples)-1]; last[1] != m[1] || last[2] != m[1] {
		t.Errorf("last sample %s produced, %s handled; want both %d", last[1], last[2], produced)
	}
	if rate < 4000 || rate > 6000 {
		t.Errorf("produced at %d posts/s, asked 5000", rate)
	}
	for _, s := range samples {
		if rss, _ := strconv.Atoi(s[4]); rss < 10 {
			t.Errorf("RSS %d MB: not a process's", rss)
		}
	}
}
