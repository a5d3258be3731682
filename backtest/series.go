package backtest

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/seismo-dev/seismo/backtest/nab"
	"github.com/seismo-dev/seismo/detect"
)

// Series is a count series: evenly spaced buckets of time, a count each.
type Series struct {
	rows []seriesRow
	step time.Duration
}

type seriesRow struct {
	// stamp and raw are the row's fields as written, for the output.
	stamp, raw string
	t          time.Time
	value      float64
}

// Len returns the number of buckets.
func (s *Series) Len() int { return len(s.rows) }

// Step returns the size of a bucket.
func (s *Series) Step() time.Duration { return s.step }

// times returns the start of every bucket.
func (s *Series) times() []time.Time {
	times := make([]time.Time, len(s.rows))
	for i, r := range s.rows {
		times[i] = r.t
	}
	return times
}

// ReadSeries reads CSV with the header timestamp,value: timestamps as NAB
// writes them (2015-02-26 21:42:53, UTC) or RFC 3339, evenly spaced and
// increasing, values finite and not negative, at least two rows. Errors
// start with name and the line.
func ReadSeries(r io.Reader, name string) (*Series, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var s Series
	header := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err) // csv errors name the line
		}
		line, _ := cr.FieldPos(0)
		if header {
			if len(rec) != 2 || rec[0] != "timestamp" || rec[1] != "value" {
				return nil, fmt.Errorf("%s:%d: header must be exactly timestamp,value", name, line)
			}
			header = false
			continue
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("%s:%d: want 2 fields (timestamp,value), got %d", name, line, len(rec))
		}
		t, err := nab.ParseTime(rec[0])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("%s:%d: value %q must be a finite number, not negative", name, line, rec[1])
		}
		if k := len(s.rows); k > 0 {
			d := t.Sub(s.rows[k-1].t)
			switch {
			case d <= 0:
				return nil, fmt.Errorf("%s:%d: timestamp %s is not after the one on the line before", name, line, rec[0])
			case k == 1:
				s.step = d
			case d != s.step:
				return nil, fmt.Errorf("%s:%d: timestamp %s is %s after the one before, but the rows are %s apart: buckets must be evenly spaced",
					name, line, rec[0], d, s.step)
			}
		}
		s.rows = append(s.rows, seriesRow{stamp: rec[0], raw: rec[1], t: t, value: v})
	}
	switch {
	case header:
		return nil, fmt.Errorf("%s: empty: want the header timestamp,value", name)
	case len(s.rows) < 2:
		return nil, fmt.Errorf("%s: at least two rows are needed to tell the bucket size", name)
	}
	return &s, nil
}

// Detect runs the series detector (detect.SeriesDetector) with cfg over s
// and returns, per bucket, whether an incident opened there: the alerts.
func (s *Series) Detect(ctx context.Context, cfg detect.Config) ([]bool, error) {
	sd, err := detect.NewSeriesDetector(cfg, s.rows[0].t, s.step)
	if err != nil {
		return nil, err
	}
	alerts := make([]bool, len(s.rows))
	for i, r := range s.rows {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		res, err := sd.Observe(r.t, r.value)
		if err != nil {
			return nil, err
		}
		alerts[i] = res.Opened
	}
	return alerts, nil
}

// WriteAlerts writes CSV with the header timestamp,value,alert: each
// bucket's timestamp and value as they were read, and 1 where alerts holds
// true, else 0.
func (s *Series) WriteAlerts(w io.Writer, alerts []bool) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"timestamp", "value", "alert"}); err != nil {
		return err
	}
	for i, r := range s.rows {
		a := "0"
		if alerts[i] {
			a = "1"
		}
		if err := cw.Write([]string{r.stamp, r.raw, a}); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write alerts: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write alerts: %w", err)
	}
	return nil
}
