package classify_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

// benchPosts chooses the labelled texts of the data benchmarks; by default
// the tuning set in testdata. BENCHMARKS.md gives the figures for the
// project's development set as well:
//
//	go test ./classify -run '^$' -bench Data -benchmem -cpu 1 -bench-posts path/to/dev.jsonl
var benchPosts = flag.String("bench-posts", "", "labelled JSON lines whose texts the data benchmarks classify")

// dataTexts returns the labelled texts the classifier finds a service in,
// and those it finds none in (mostly hard negatives written around services).
func dataTexts(b *testing.B) (named, chatter []string) {
	b.Helper()
	files := []string{*benchPosts}
	if *benchPosts == "" {
		var err error
		if files, err = filepath.Glob("testdata/tune/*.jsonl"); err != nil || len(files) == 0 {
			b.Fatalf("no labelled posts in testdata/tune: %v", err)
		}
	}
	c := learnedClassifier(b)
	for _, f := range files {
		for _, l := range readLabelledFile(b, f) {
			p := seismo.Post{Text: l.Text}
			if len(c.Classify(&p).Services) > 0 {
				named = append(named, l.Text)
			} else {
				chatter = append(chatter, l.Text)
			}
		}
	}
	return named, chatter
}

func benchTexts(b *testing.B, texts []string) {
	benchTextsWith(b, learnedClassifier(b), texts)
}

func benchTextsWith(b *testing.B, c *classify.Classifier, texts []string) {
	posts := make([]seismo.Post, len(texts))
	for i, t := range texts {
		posts[i] = seismo.Post{ID: fmt.Sprint(i), Text: t}
	}
	benchmarkWith(b, c, posts)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/float64(runtime.GOMAXPROCS(0)), "posts/s/core")
}

// BenchmarkDataNamed classifies labelled texts that all name a service.
func BenchmarkDataNamed(b *testing.B) {
	named, _ := dataTexts(b)
	benchTexts(b, named)
}

// BenchmarkDataNamedTagged classifies the same texts as posts that carry
// their language, as Bluesky's and Mastodon's do: the language hint saves
// the statistical language identification.
func BenchmarkDataNamedTagged(b *testing.B) {
	files := []string{*benchPosts}
	if *benchPosts == "" {
		files, _ = filepath.Glob("testdata/tune/*.jsonl")
	}
	c := learnedClassifier(b)
	var posts []seismo.Post
	for _, f := range files {
		for _, l := range readLabelledFile(b, f) {
			p := seismo.Post{ID: fmt.Sprint(len(posts)), Text: l.Text}
			if len(c.Classify(&p).Services) > 0 {
				p.Lang = l.Lang
				posts = append(posts, p)
			}
		}
	}
	benchmarkWith(b, c, posts)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/float64(runtime.GOMAXPROCS(0)), "posts/s/core")
}

// BenchmarkDataNamedRulesOnly classifies the same texts with the lexicon
// stage alone: the cost of the learned stage is the difference.
func BenchmarkDataNamedRulesOnly(b *testing.B) {
	named, _ := dataTexts(b)
	benchTextsWith(b, testClassifier(b), named)
}

// BenchmarkDataFirehose classifies a firehose mix: 2% labelled posts that
// name a service, 98% ordinary posts that name none.
func BenchmarkDataFirehose(b *testing.B) {
	named, _ := dataTexts(b)
	benchTexts(b, mix(named, benchChatter()))
}

// BenchmarkDataHardFirehose is a stress mix: 2% labelled posts that name a
// service, 98% labelled posts the classifier finds no service in. Those were
// written around services (ambiguous names such as "threads" or "zap",
// outage words about banks and routers), so many cannot take the fast path;
// a real firehose has far fewer of them.
func BenchmarkDataHardFirehose(b *testing.B) {
	named, rest := dataTexts(b)
	benchTexts(b, mix(named, rest))
}

// mix interleaves one named text in every fifty.
func mix(named, chatter []string) []string {
	var texts []string
	for i := range 50 * len(named) {
		if i%50 == 0 {
			texts = append(texts, named[i/50])
		} else {
			texts = append(texts, chatter[i%len(chatter)])
		}
	}
	return texts
}

// BenchmarkClassifierHeap reports the live heap of a process that has
// built one classifier with all nine languages, after garbage collection.
// lingua-go shares its models within a process, so the figure is measured in
// a fresh child process, where nothing was loaded before.
func BenchmarkClassifierHeap(b *testing.B) {
	var mb float64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHeapChild$", "-test.v")
		cmd.Env = append(os.Environ(), "SEISMO_HEAP_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		var base, with uint64
		if i := strings.Index(string(out), "heap "); i < 0 {
			b.Fatalf("child printed no heap figures:\n%s", out)
		} else if _, err := fmt.Sscanf(string(out[i:]), "heap %d %d", &base, &with); err != nil {
			b.Fatal(err)
		}
		mb = float64(with-base) / (1 << 20)
	}
	b.ReportMetric(mb, "heap-MB")
}

// TestHeapChild is BenchmarkClassifierHeap's child process.
func TestHeapChild(t *testing.T) {
	if os.Getenv("SEISMO_HEAP_CHILD") != "1" {
		t.Skip("run by BenchmarkClassifierHeap")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := classify.New(classify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("heap %d %d\n", before.HeapAlloc, after.HeapAlloc)
	runtime.KeepAlive(c)
}
