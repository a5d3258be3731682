package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestBacktestSeries(t *testing.T) {
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
			code, stdout, stderr := runSeismo(t, context.Background(), tt.input, "backtest", "--series", "-")
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			in := strings.Split(strings.TrimSpace(tt.input), "\n")
			out := strings.Split(strings.TrimSpace(stdout), "\n")
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
			if want := "300 buckets of 5m0s, 1 alerts"; !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		})
	}
}

func TestBacktestSeriesErrors(t *testing.T) {
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
			code, stdout, stderr := runSeismo(t, context.Background(), tt.input, "backtest", "--series", "-")
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("wrote output on error:\n%s", stdout)
			}
		})
	}
	t.Run("no such file", func(t *testing.T) {
		code, _, stderr := runSeismo(t, context.Background(), "", "backtest", "--series", t.TempDir()+"/nope.csv")
		if code != 1 || !strings.Contains(stderr, "nope.csv") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
	})
}
