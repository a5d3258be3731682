package backtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
)

func TestReadPosts(t *testing.T) {
	long := `{"id":"x","text":"` + strings.Repeat("a", seismo.MaxPostBytes) + `","created_at":"2024-05-01T12:00:00Z"}`
	input := strings.Join([]string{
		`{"id":"late","text":"hello","created_at":"2024-05-01T12:02:00Z"}`,
		`not json`,
		``,
		`{"id":"early","text":"hello","created_at":"2024-05-01T12:01:00Z"}`,
		`{"id":"notime","text":"hello"}`,
		long,
		`{"id":"also-late","text":"hello","created_at":"2024-05-01T12:02:00Z"}`,
	}, "\n")
	var invalid []string
	in, err := backtest.ReadPosts(strings.NewReader(input), func(line int, err error) {
		invalid = append(invalid, fmt.Sprintf("%d %s", line, seismo.RejectReason(err)))
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range in.Posts {
		ids = append(ids, p.ID)
	}
	// Sorted by event time; posts of one time keep their order.
	if got := strings.Join(ids, " "); got != "early late also-late" {
		t.Errorf("posts %s, want early late also-late", got)
	}
	if got := strings.Join(invalid, ", "); got != "2 bad_json, 5 missing_created_at, 6 too_large" {
		t.Errorf("invalid lines: %s", got)
	}
	want := backtest.Rejections{seismo.ReasonBadJSON: 1, seismo.ReasonMissingTime: 1, seismo.ReasonTooLarge: 1}
	if fmt.Sprint(in.Rejected) != fmt.Sprint(want) || in.Rejected.Total() != 3 {
		t.Errorf("rejected %v (total %d), want %v", in.Rejected, in.Rejected.Total(), want)
	}
}

func TestWriteSummaryWithoutTimes(t *testing.T) {
	in, err := backtest.ReadPosts(strings.NewReader(`{"id":"a","text":"whatsapp down"}`+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	(&backtest.Result{}).WriteSummary(&b, in)
	want := "backtest: 1 posts, 1 invalid (missing_created_at 1); 0 complaints and 0 recoveries counted; 0 events, 0 incidents\n" +
		"backtest: no post has a created_at; detection runs in event time and needs one. To judge posts without times, use seismo classify.\n"
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
}
