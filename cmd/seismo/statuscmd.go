package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
)

func runStatus(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("status", "status [--redis-addr ADDR] [--topic TOPIC] [--json]", sio.err)
	var rf redisFlags
	rf.register(fs)
	topic := fs.String("topic", ingest.DefaultConfig().Topic, "topic of posts")
	asJSON := fs.Bool("json", false, "print the status as JSON (as GET /v1/status does)")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	rdb := rf.client()
	defer rdb.Close()
	// The status reads nothing secret; the store wants a key all the same.
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("status"), Topic: *topic})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := store.Progress(ctx)
	if err != nil {
		return fmt.Errorf("redis at %s: %w", rf.addr, err)
	}
	if *asJSON {
		enc := json.NewEncoder(sio.out)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	writeStatus(sio.out, p)
	return nil
}

// writeStatus prints the progress for people: one line per partition, then
// the detector's watermark and position.
func writeStatus(w io.Writer, p detect.Progress) {
	fmt.Fprintf(w, "topic %s, %d partitions\n\n", p.Topic, len(p.Partitions))
	if len(p.Partitions) > 0 {
		writePartitions(w, p)
	}
	if p.Watermark != nil {
		fmt.Fprintf(w, "watermark  %s\n", stamp(p.Watermark))
	} else {
		fmt.Fprintf(w, "watermark  none: %s\n", p.Waiting)
	}
	if p.Evaluated != nil {
		fmt.Fprintf(w, "evaluated  through %s\n", stamp(p.Evaluated))
	} else {
		fmt.Fprintln(w, "evaluated  nothing yet")
	}
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// writePartitions prints one line per partition.
func writePartitions(w io.Writer, p detect.Progress) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tOWNER\tGEN\tCOMMITTED\tEND\tLAG\tWATERMARK\tSTATE\tREPORTED")
	for _, s := range p.Partitions {
		if s.Owner == "" {
			fmt.Fprintf(tw, "%d\t-\t-\t-\t-\t-\t-\tnever reported\t-\n", s.Partition)
			continue
		}
		state := "consuming"
		switch {
		case !s.Alive:
			state = "owner gone"
		case s.Idle:
			state = "idle"
		case s.Lag == 0:
			state = "caught up"
		}
		if p.HeldBy != nil && *p.HeldBy == s.Partition {
			state += ", holds the watermark"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s ago\n", s.Partition, s.Owner, s.Generation,
			s.Committed, s.End, s.Lag, stamp(s.Watermark), state, p.Now.Sub(s.ReportedAt).Round(time.Second))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
}
