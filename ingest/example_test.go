package ingest_test

import (
	"context"
	"log/slog"
	"os"
	"os/signal"

	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/metrics"
)

// A worker wired the way cmd does it: topics ensured, the consumer run
// until a signal, then shut down gracefully.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	brokers := []string{"127.0.0.1:9092"}

	cfg := ingest.DefaultConfig()
	cfg.Brokers = brokers
	if err := ingest.EnsureTopics(ctx, brokers, 3, cfg.Topic, cfg.DLQTopic); err != nil {
		log.Error("ensure topics", "err", err)
		return
	}
	// The classifier and the store come from classify and detect.
	c, err := ingest.New(cfg, fakeClassifier{}, &fakeRecorder{}, metrics.New(), log)
	if err != nil {
		log.Error("ingest config", "err", err)
		return
	}
	if err := c.Run(ctx); err != nil {
		log.Error("ingest", "err", err)
	}
}
