package broker_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/internal/redistest"
)

const testTimeout = 20 * time.Second

func start(t *testing.T, cfg broker.Config) *broker.Broker {
	t.Helper()
	b, err := broker.Start(cfg)
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func produce(ctx context.Context, t *testing.T, addr, topic string, msgs ...kafka.Message) {
	t.Helper()
	w := &kafka.Writer{
		Addr: kafka.TCP(addr), Topic: topic, RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond, WriteTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
	}
	defer w.Close()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
}

// readPartition reads n messages from one partition from the start.
func readPartition(ctx context.Context, t *testing.T, addr, topic string, partition, n int) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{addr}, Topic: topic, Partition: partition,
		MaxWait: 200 * time.Millisecond, Dialer: &kafka.Dialer{Timeout: 5 * time.Second},
	})
	defer r.Close()
	var out []kafka.Message
	for len(out) < n {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %s/%d after %d messages: %v", topic, partition, len(out), err)
		}
		out = append(out, m)
	}
	return out
}

func groupReader(addr, topic, group string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{addr}, Topic: topic, GroupID: group,
		MaxWait: 200 * time.Millisecond, StartOffset: kafka.FirstOffset,
		HeartbeatInterval: 500 * time.Millisecond, SessionTimeout: 6 * time.Second,
		RebalanceTimeout: 2 * time.Second, JoinGroupBackoff: 200 * time.Millisecond,
		Dialer: &kafka.Dialer{Timeout: 5 * time.Second},
	})
}

func TestStartAdvertisesReachableAddress(t *testing.T) {
	tests := []struct {
		name     string
		cfg      broker.Config
		wantHost string
	}{
		{name: "loopback free port", cfg: broker.Config{Addr: "127.0.0.1:0"}, wantHost: "127.0.0.1"},
		{name: "localhost name", cfg: broker.Config{Addr: "localhost:0"}, wantHost: "127.0.0.1"},
		{name: "unspecified host", cfg: broker.Config{Addr: ":0"}, wantHost: "127.0.0.1"},
		{name: "advertised name", cfg: broker.Config{Addr: "127.0.0.1:0", Advertise: "localhost:0"}, wantHost: "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := start(t, tt.cfg)
			host, port, err := net.SplitHostPort(b.Addr())
			if err != nil {
				t.Fatalf("Addr %q: %v", b.Addr(), err)
			}
			if host != tt.wantHost {
				t.Errorf("Addr host = %q, want %q", host, tt.wantHost)
			}
			if p, _ := strconv.Atoi(port); p == 0 {
				t.Fatalf("Addr %q still has port 0", b.Addr())
			}

			// What metadata advertises must be what Addr says.
			ctx := testCtx(t)
			conn, err := (&kafka.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", b.Addr())
			if err != nil {
				t.Fatalf("dial %s: %v", b.Addr(), err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			brokers, err := conn.Brokers()
			if err != nil {
				t.Fatalf("metadata: %v", err)
			}
			if len(brokers) != 1 {
				t.Fatalf("metadata lists %d brokers, want 1", len(brokers))
			}
			got := net.JoinHostPort(brokers[0].Host, strconv.Itoa(brokers[0].Port))
			if got != b.Addr() {
				t.Errorf("metadata advertises %s, want %s", got, b.Addr())
			}

			parts, err := conn.ReadPartitions("seismo.posts", "seismo.posts.dlq", "seismo.incidents")
			if err != nil {
				t.Fatalf("read partitions: %v", err)
			}
			if len(parts) != 9 {
				t.Errorf("default topics have %d partitions in all, want 3x3", len(parts))
			}
		})
	}
}

func TestStartRejectsBadAddress(t *testing.T) {
	for _, addr := range []string{"no-port", "127.0.0.1:notaport", "127.0.0.1:70000"} {
		t.Run(addr, func(t *testing.T) {
			b, err := broker.Start(broker.Config{Addr: addr})
			if err == nil {
				_ = b.Close()
				t.Fatalf("Start(%q) succeeded, want an error", addr)
			}
		})
	}
}

func TestProduceConsume(t *testing.T) {
	b := start(t, broker.Config{Addr: "127.0.0.1:0", Partitions: 1, Topics: []string{"t"}})
	ctx := testCtx(t)
	produce(ctx, t, b.Addr(), "t", kafka.Message{Key: []byte("k"), Value: []byte("hello")})
	got := readPartition(ctx, t, b.Addr(), "t", 0, 1)
	if string(got[0].Key) != "k" || string(got[0].Value) != "hello" {
		t.Errorf("read %q=%q, want k=hello", got[0].Key, got[0].Value)
	}
}

func TestRestartKeepsRecordsAndGroupOffsets(t *testing.T) {
	dir := t.TempDir()
	ctx := testCtx(t)
	cfg := broker.Config{Addr: "127.0.0.1:0", DataDir: dir, Partitions: 1, Topics: []string{"t"}}

	b := start(t, cfg)
	produce(ctx, t, b.Addr(), "t",
		kafka.Message{Value: []byte("one")}, kafka.Message{Value: []byte("two")})
	r := groupReader(b.Addr(), "t", "g")
	m, err := r.FetchMessage(ctx)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if string(m.Value) != "one" {
		t.Fatalf("first message %q, want one", m.Value)
	}
	if err := r.CommitMessages(ctx, m); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("close reader: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("close broker: %v", err)
	}

	b2 := start(t, cfg)
	all := readPartition(ctx, t, b2.Addr(), "t", 0, 2)
	if string(all[0].Value) != "one" || string(all[1].Value) != "two" {
		t.Errorf("after restart the log holds %q, %q; want one, two", all[0].Value, all[1].Value)
	}
	r2 := groupReader(b2.Addr(), "t", "g")
	defer r2.Close()
	m, err = r2.FetchMessage(ctx)
	if err != nil {
		t.Fatalf("fetch after restart: %v", err)
	}
	if string(m.Value) != "two" || m.Offset != 1 {
		t.Errorf("group resumed at %q (offset %d), want two (offset 1): the committed offset was lost",
			m.Value, m.Offset)
	}
}

func TestRestartCreatesTopicsAddedToConfig(t *testing.T) {
	dir := t.TempDir()
	b := start(t, broker.Config{Addr: "127.0.0.1:0", DataDir: dir, Topics: []string{"a"}})
	_ = b.Close()
	b2 := start(t, broker.Config{Addr: "127.0.0.1:0", DataDir: dir, Partitions: 2, Topics: []string{"a", "b"}})
	conn, err := kafka.DialContext(testCtx(t), "tcp", b2.Addr())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	parts, err := conn.ReadPartitions("b")
	if err != nil {
		t.Fatalf("read partitions of b: %v", err)
	}
	if len(parts) != 2 {
		t.Errorf("topic b has %d partitions, want 2", len(parts))
	}
}

// TestKcatProducesToBroker proves a client nobody here wrote (librdkafka)
// talks to the broker.
func TestKcatProducesToBroker(t *testing.T) {
	redistest.Require(t, "kcat")
	b := start(t, broker.Config{Addr: "127.0.0.1:0", Partitions: 1, Topics: []string{"posts"}})
	ctx := testCtx(t)

	var lines []string
	for i := range 5 {
		lines = append(lines, fmt.Sprintf("k%d:{\"id\":\"%d\"}", i, i))
	}
	cmd := exec.CommandContext(ctx, "kcat", "-P", "-b", b.Addr(), "-t", "posts", "-K", ":",
		"-X", "socket.timeout.ms=5000", "-X", "message.timeout.ms=10000")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kcat: %v: %s", err, stderr.String())
	}

	got := readPartition(ctx, t, b.Addr(), "posts", 0, len(lines))
	for i, m := range got {
		want := strings.SplitN(lines[i], ":", 2)
		if string(m.Key) != want[0] || string(m.Value) != want[1] {
			t.Errorf("message %d = %q:%q, want %q:%q", i, m.Key, m.Value, want[0], want[1])
		}
	}
}

func TestCloseTwice(t *testing.T) {
	b := start(t, broker.Config{Addr: "127.0.0.1:0"})
	if err := b.Close(); err != nil {
		t.Fatalf("first close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// TestRetentionBytesDeletesTheOldest fills a partition far past its
// retention: within a few seconds its first offset moves on, so the oldest
// records are gone, and the newest remain.
func TestRetentionBytesDeletesTheOldest(t *testing.T) {
	b := start(t, broker.Config{Addr: "127.0.0.1:0", Partitions: 1, Topics: []string{"t"}, RetentionBytes: 64 << 10})
	ctx := testCtx(t)
	value := bytes.Repeat([]byte("x"), 1000)
	for range 10 { // 10 writes, 500 KB in all
		msgs := make([]kafka.Message, 50)
		for i := range msgs {
			msgs[i] = kafka.Message{Value: value}
		}
		produce(ctx, t, b.Addr(), "t", msgs...)
	}
	conn, err := kafka.DialLeader(ctx, "tcp", b.Addr(), "t", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		first, last, err := conn.ReadOffsets()
		if err != nil {
			t.Fatal(err)
		}
		if last != 500 {
			t.Fatalf("last offset %d, want 500", last)
		}
		if first > 0 {
			if kept := last - first; kept*1000 > 3*64<<10 {
				t.Errorf("kept %d records of 1 KB, want about 64 KB of them", kept)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("first offset still 0 after 10s: nothing deleted")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
