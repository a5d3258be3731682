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
	// A new process each time: give its idle partitions a few reports'
	// time to be confirmed, as a running detector would have.
	p, err := store.ConfirmedProgress(ctx, 3*time.Second)
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
