package redistest_test

import (
	"context"
	"testing"

	"github.com/seismo-dev/seismo/internal/redistest"
)

func TestStart(t *testing.T) {
	c := redistest.Start(t).Client(t)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := c.Get(ctx, "k").Val(); got != "v" {
		t.Fatalf("GET k = %q, want v", got)
	}
}
