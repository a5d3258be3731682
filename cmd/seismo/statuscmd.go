package main

import (
	"context"
	"encoding/json"
	"fmt"
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
	rdb, err := rf.client(ctx)
	if err != nil {
		return err
	}
	defer rdb.Close()
	// The status reads nothing secret; the store wants a key all the same.
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("status"), Topic: *topic})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := store.Progress(ctx)
	// A new process cannot take an idle partition at its word until the
	// partition's next report (a publish interval, 1s by default) shows
	// its end offset was asked for after this process first read the
	// stream: read again for a few seconds, as a running detector would.
	for tries := 0; err == nil && len(p.Confirming) > 0 && tries < 6; tries++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		p, err = store.Progress(ctx)
	}
	if err != nil {
		return fmt.Errorf("redis at %s: %w", rf.addr, err)
	}
	if *asJSON {
		enc := json.NewEncoder(sio.out)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	return p.WriteText(sio.out)
}
