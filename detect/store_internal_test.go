package detect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/internal/redistest"
)

func TestExecPipelineReportsErrorsBehindNil(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rdb.Set(ctx, "k", "not a number", 0).Err(); err != nil {
		t.Fatal(err)
	}

	pipe := rdb.Pipeline()
	pipe.HGet(ctx, "missing", "f") // redis.Nil, first
	pipe.Incr(ctx, "k")            // a real error, behind it
	if err := execPipeline(ctx, pipe); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("err = %v, want the INCR's error", err)
	}

	pipe = rdb.Pipeline()
	pipe.HGet(ctx, "missing", "f")
	get := pipe.Get(ctx, "k")
	if err := execPipeline(ctx, pipe); err != nil {
		t.Errorf("only a Nil: err = %v, want nil", err)
	}
	if get.Val() != "not a number" {
		t.Errorf("GET = %q", get.Val())
	}
}
