package backtest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/detect"
)

func TestSeries(t *testing.T) {
	spike, err := os.ReadFile(nabData + "/synthetic/spike.csv")
	if err != nil {
		t.Fatal(err)
	}
	// The same series with RFC 3339 timestamps.
	var rfc strings.Builder
	rfc.WriteString("timestamp,value\n")
	for i, l := range strings.Split(strings.TrimSpace(string(spike)), "\n")[1:] {
		_, v, _ := strings.Cut(l, ",")
		fmt.Fprintf(&rfc, "%s,%s\n", time.Date(2015, 2, 26, 0, 2, 53, 0, time.UTC).Add(time.Duration(i)*5*time.Minute).Format(time.RFC3339), v)
	}
	tests := []struct {
		name  string
		input string
	}{
		{"NAB timestamps", string(spike)},
		{"RFC 3339 timestamps", rfc.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := backtest.ReadSeries(strings.NewReader(tt.input), "-")
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != 300 || s.Step() != 5*time.Minute {
				t.Errorf("%d buckets of %s, want 300 of 5m0s", s.Len(), s.Step())
			}
			alerts, err := s.Detect(context.Background(), detect.SeriesConfig())
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := s.WriteAlerts(&buf, alerts); err != nil {
				t.Fatal(err)
			}
			in := strings.Split(strings.TrimSpace(tt.input), "\n")
			out := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(out) != len(in) || out[0] != "timestamp,value,alert" {
				t.Fatalf("%d lines out for %d in; header %q", len(out), len(in), out[0])
			}
			for i := 1; i < len(in); i++ {
				want := in[i] + ",0"
				if i-1 == 200 { // the spike's first bucket opens the incident
					want = in[i] + ",1"
				}
				if out[i] != want {
					t.Errorf("line %d: %q, want %q", i+1, out[i], want)
				}
			}
		})
	}
}

func TestSeriesErrors(t *testing.T) {
	const h = "timestamp,value\n"
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "empty"},
		{"wrong header", "time,count\n2015-02-26 00:00:00,1\n", ":1: header must be exactly timestamp,value"},
		{"extra column in the header", "timestamp,value,alert\n", ":1: header must be"},
		{"one row", h + "2015-02-26 00:00:00,1\n", "at least two rows"},
		{"bad timestamp", h + "2015-02-26 00:00:00,1\n26/02/2015 00:05,1\n", ":3: timestamp \"26/02/2015 00:05\""},
		{"bad value", h + "2015-02-26 00:00:00,1\n2015-02-26 00:05:00,many\n", ":3: value \"many\""},
		{"negative value", h + "2015-02-26 00:00:00,-1\n", ":2: value \"-1\""},
		{"NaN", h + "2015-02-26 00:00:00,NaN\n", ":2: value \"NaN\""},
		{"infinite", h + "2015-02-26 00:00:00,+Inf\n", ":2: value \"+Inf\""},
		{"three fields", h + "2015-02-26 00:00:00,1,2\n", ":2: want 2 fields"},
		{"going back", h + "2015-02-26 00:05:00,1\n2015-02-26 00:00:00,1\n", ":3: timestamp 2015-02-26 00:00:00 is not after"},
		{"repeated", h + "2015-02-26 00:05:00,1\n2015-02-26 00:05:00,1\n", ":3: timestamp 2015-02-26 00:05:00 is not after"},
		{"uneven", h + "2015-02-26 00:00:00,1\n2015-02-26 00:05:00,1\n2015-02-26 00:15:00,1\n", ":4: timestamp 2015-02-26 00:15:00 is 10m0s after the one before, but the rows are 5m0s apart"},
		{"a bucket that does not tile the hour", h + "2015-02-26 00:00:00,1\n2015-02-26 00:07:00,1\n", "step 7m0s"},
		{"quotes gone wrong", h + "\"2015-02-26 00:00:00,1\n", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A bucket size the detector cannot use is its error, not the
			// reader's.
			s, err := backtest.ReadSeries(strings.NewReader(tt.input), "-")
			if err == nil {
				_, err = s.Detect(context.Background(), detect.SeriesConfig())
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one with %q", err, tt.want)
			}
		})
	}
}
