package main

import (
	"context"
	"fmt"

	"github.com/seismo-dev/seismo/broker"
)

func runBroker(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("broker", "broker [flags]", sio.err)
	addr := fs.String("addr", "127.0.0.1:9092", "address to listen on")
	advertise := fs.String("advertise", "", "host:port announced to clients in metadata, when they reach the broker under another name (default: the listening address)")
	dataDir := fs.String("data-dir", "", "directory that keeps topics, offsets and groups across restarts (empty: in memory)")
	partitions := fs.Int("partitions", 3, "partitions of the seismo topics and of auto-created topics")
	retention := fs.Int64("retention-bytes", 0, "delete a partition's oldest records beyond this many bytes, checked every second,\nas Kafka's log.retention.bytes (0: keep everything)")
	var lf logFlags
	lf.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if *partitions < 1 || *partitions > 1024 {
		return fmt.Errorf("%w: --partitions must be 1..1024", errUsage)
	}
	if *retention < 0 {
		return fmt.Errorf("%w: --retention-bytes must not be negative", errUsage)
	}
	log, err := lf.logger(sio.err)
	if err != nil {
		return err
	}
	b, err := broker.Start(broker.Config{Addr: *addr, Advertise: *advertise, DataDir: *dataDir, Partitions: int32(*partitions),
		RetentionBytes: *retention, Logger: log})
	if err != nil {
		return err
	}
	log.Info("broker listening", "addr", b.Addr(), "data_dir", *dataDir)
	<-ctx.Done()
	log.Info("broker stopping")
	return b.Close()
}
