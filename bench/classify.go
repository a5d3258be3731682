package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/internal/lines"
	"github.com/seismo-dev/seismo/simulate"
)

// ClassifyOptions say what `seismo bench classify` measures.
type ClassifyOptions struct {
	Posts    int     // posts in the file, >= 1
	Relevant float64 // share of them that name a service, in [0, 1]
	Binary   string  // the seismo binary run as `seismo classify` (empty: this one)
	Log      io.Writer
}

// Validate reports the first bad option.
func (o ClassifyOptions) Validate() error {
	switch {
	case o.Posts < 1 || !(o.Relevant >= 0 && o.Relevant <= 1):
		return errors.New("want posts >= 1 and relevant in [0, 1]")
	}
	return nil
}

// ClassifyResult is what one run measured: wall time and CPU of each way
// through the same file.
type ClassifyResult struct {
	ClassifyOptions
	Bytes int64 // of the file
	Runs  []ClassifyRun
	// Startup is `seismo classify` on no input: loading its models.
	Startup time.Duration
}

// ClassifyRun is one way through the file.
type ClassifyRun struct {
	Name      string
	Wall, CPU time.Duration
}

// The rows of a ClassifyResult.
const (
	runDecodeJSON = "decode only, encoding/json"
	runDecodeScan = "decode only, seismo.DecodePost"
	runPeer       = "regexp + lingua-go peer"
	runPeerFirst  = "the peer, lingua after a name matched"
	runClassify   = "seismo classify (whole process)"
)

// RunClassify writes a firehose of posts as JSON lines to a file and reads
// it five ways: decoding only, with encoding/json (the program that only
// decodes) and with seismo's decoder; with the regexp and lingua-go peer,
// as written first (lingua on every post) and as improved (lingua once a
// service name matched); and with a `seismo classify` process, start-up
// included. The ratios are to encoding/json's decoding and to the first
// peer.
func RunClassify(ctx context.Context, o ClassifyOptions) (ClassifyResult, error) {
	res := ClassifyResult{ClassifyOptions: o}
	if err := o.Validate(); err != nil {
		return res, err
	}
	say := sayer(o.Log)
	f, err := os.CreateTemp("", "seismo-bench-posts-*.jsonl")
	if err != nil {
		return res, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	sc, err := simulate.Firehose(o.Posts, o.Relevant, 1)
	if err != nil {
		return res, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	if err := sc.Generate(func(p seismo.Post) error { return enc.Encode(p) }); err != nil {
		return res, err
	}
	if err := w.Flush(); err != nil {
		return res, err
	}
	st, err := f.Stat()
	if err != nil {
		return res, err
	}
	res.Bytes = st.Size()
	say("wrote %d posts, %.0f MB of JSON lines", o.Posts, float64(res.Bytes)/(1<<20))

	// The process first, while this one is small: a child's peak memory
	// starts from its parent's before exec.
	if res.Startup, _, err = classifyProcess(ctx, o.Binary, os.DevNull); err != nil {
		return res, err
	}
	wall, cpu, err := classifyProcess(ctx, o.Binary, f.Name())
	if err != nil {
		return res, err
	}
	res.Runs = append(res.Runs, ClassifyRun{runClassify, wall, cpu})
	say("seismo classify: %s", wall.Round(time.Millisecond))

	decodeJSON := func(line []byte) error {
		var p seismo.Post
		return json.Unmarshal(line, &p)
	}
	decodeScan := func(line []byte) error {
		_, err := seismo.DecodePost(line)
		return err
	}
	for _, d := range []struct {
		name   string
		decode func([]byte) error
	}{{runDecodeJSON, decodeJSON}, {runDecodeScan, decodeScan}} {
		r, err := timed(d.name, func() error { return decodeFile(f.Name(), d.decode) })
		if err != nil {
			return res, err
		}
		res.Runs = append(res.Runs, r)
		say("%s: %s", d.name, r.Wall.Round(time.Millisecond))
	}

	svcs, err := classify.New(classify.Config{Languages: []string{"en"}, RulesOnly: true})
	if err != nil {
		return res, err
	}
	for _, matchFirst := range []bool{false, true} {
		name := runPeer
		if matchFirst {
			name = runPeerFirst
		}
		r, err := timed(name, func() error {
			p := newPeer(svcs.Services(), matchFirst)
			in, err := os.Open(f.Name())
			if err != nil {
				return err
			}
			defer in.Close()
			return p.lines(ctx, in, io.Discard)
		})
		if err != nil {
			return res, err
		}
		res.Runs = append(res.Runs, r)
		say("%s: %s", name, r.Wall.Round(time.Millisecond))
	}
	return res, nil
}

// timed runs f and returns its wall time and this process's CPU in it.
func timed(name string, f func() error) (ClassifyRun, error) {
	cpu0, t0 := selfCPU(), time.Now()
	err := f()
	return ClassifyRun{Name: name, Wall: time.Since(t0), CPU: selfCPU() - cpu0}, err
}

// decodeFile decodes every line of the file, one after the other, as a
// program that only decodes does; a line that does not decode is an error.
func decodeFile(name string, decode func([]byte) error) error {
	in, err := os.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	lr := lines.NewReader(in, seismo.MaxPostBytes)
	for {
		line, n, _, err := lr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := decode(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
}

// classifyProcess runs `seismo classify` on the file, its output to
// /dev/null, and returns its wall time from start to exit and its CPU.
func classifyProcess(ctx context.Context, binary, input string) (time.Duration, time.Duration, error) {
	in, err := os.Open(input)
	if err != nil {
		return 0, 0, err
	}
	defer in.Close()
	binary, err = self(binary)
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.CommandContext(ctx, binary, "classify")
	cmd.Env = cleanEnv()
	cmd.Stdin = in
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	err = cmd.Run() // Stdout nil: /dev/null
	wall := time.Since(t0)
	if err != nil {
		return 0, 0, fmt.Errorf("seismo classify: %w: %s", err, stderr.String())
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// limitedBuffer keeps the first 4 KB written to it.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }

// WriteTable writes the rates side by side.
func (r ClassifyResult) WriteTable(w io.Writer) {
	rate := func(name string) float64 {
		for _, run := range r.Runs {
			if run.Name == name {
				return float64(r.Posts) / run.Wall.Seconds()
			}
		}
		return 0
	}
	ref, peer := rate(runDecodeJSON), rate(runPeer)
	fmt.Fprintf(w, "posts %d, %.0f%% naming a service, %.0f MB of JSON lines\n", r.Posts, 100*r.Relevant, float64(r.Bytes)/(1<<20))
	fmt.Fprintf(w, "%-34s %12s %16s %10s %14s\n", "", "posts/s", "vs decode-only", "vs peer", "CPU µs/post")
	for _, run := range r.Runs {
		v := float64(r.Posts) / run.Wall.Seconds()
		fmt.Fprintf(w, "%-34s %12.0f %15.2fx %9.2fx %14.2f\n", run.Name, v, v/ref, v/peer,
			float64(run.CPU.Microseconds())/float64(r.Posts))
	}
	fmt.Fprintf(w, "seismo classify starts in %s (no input); the rates above include it, as a user waits for it\n", r.Startup.Round(time.Millisecond))
}
