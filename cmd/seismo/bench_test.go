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
