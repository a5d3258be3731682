// Package broker runs a single-node Kafka-protocol broker in process, for
// development and the demo, so seismo runs with nothing installed. It wraps
// the kfake cluster from franz-go, which speaks the real wire protocol, so
// kafka-go, librdkafka (kcat) and any other client can talk to it over TCP.
// With a data directory, topics, records and committed group offsets survive
// a restart.
package broker

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Default topics, the ones seismo uses.
var defaultTopics = []string{"seismo.posts", "seismo.posts.dlq", "seismo.incidents"}

// DefaultAddr is where the broker listens when Config.Addr is empty.
const DefaultAddr = "127.0.0.1:9092"

// setupTimeout bounds the topic check done at start.
const setupTimeout = 10 * time.Second

// Config says where the broker listens and what it holds.
type Config struct {
	// Addr is the host:port to listen on, default 127.0.0.1:9092. Port 0
	// picks a free port; Broker.Addr tells which.
	Addr string
	// Advertise is the host:port announced to clients in metadata, for
	// when they reach the broker under another name (a container's service
	// name). Default: the listening address, with an unspecified host
	// (0.0.0.0, ::) replaced by 127.0.0.1.
	Advertise string
	// DataDir keeps the broker's state on disk so it survives restarts;
	// "" keeps everything in memory.
	DataDir string
	// Partitions is the partition count of seeded and auto-created topics,
	// default 3.
	Partitions int32
	// Topics are created at start if missing, default seismo.posts,
	// seismo.posts.dlq and seismo.incidents.
	Topics []string
	// RetentionBytes, when positive, bounds every partition: each second
	// the oldest records beyond it are deleted, as Kafka's
	// log.retention.bytes does, so a broker fed for long holds a bounded
	// amount. 0 keeps everything.
	RetentionBytes int64
	// Logger receives the broker's own log lines; nil discards them.
	Logger *slog.Logger
}

// Broker is a running single-node broker.
type Broker struct {
	cluster   *kfake.Cluster
	addr      string
	closeOnce sync.Once
	stop      chan struct{} // ends the retention loop
	done      chan struct{} // closed when it has ended
}

// Start listens and serves until Close.
func Start(cfg Config) (*Broker, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 3
	}
	if cfg.Topics == nil {
		cfg.Topics = slices.Clone(defaultTopics)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("broker address %q: %w", cfg.Addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return nil, fmt.Errorf("broker address %q: bad port", cfg.Addr)
	}

	// kfake always listens on 127.0.0.1 and advertises whatever its
	// listener's Addr says. Listening ourselves honours the configured
	// host, and reporting the advertised address from Addr makes the
	// metadata name a place clients can reach (an unspecified host such
	// as 0.0.0.0 is not one).
	var advertised, local string
	listen := func(network, _ string) (net.Listener, error) {
		ln, err := net.Listen(network, net.JoinHostPort(host, port))
		if err != nil {
			return nil, err
		}
		local, _ = advertisedAddr("", ln.Addr())
		advertised, err = advertisedAddr(cfg.Advertise, ln.Addr())
		if err != nil {
			ln.Close()
			return nil, err
		}
		return &advertisingListener{Listener: ln, addr: hostPort(advertised)}, nil
	}

	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ListenFn(listen),
		kfake.DefaultNumPartitions(int(cfg.Partitions)),
		kfake.AllowAutoTopicCreation(),
		kfake.WithLogger(slogLogger{cfg.Logger}),
		// Let tests and the demo use short group session timeouts.
		kfake.GroupMinSessionTimeout(time.Second),
	}
	if len(cfg.Topics) > 0 {
		opts = append(opts, kfake.SeedTopics(cfg.Partitions, cfg.Topics...))
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	if cfg.RetentionBytes > 0 {
		opts = append(opts, kfake.BrokerConfigs(map[string]string{"log.retention.bytes": strconv.FormatInt(cfg.RetentionBytes, 10)}))
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start broker on %s: %w", cfg.Addr, err)
	}
	b := &Broker{cluster: cluster, addr: advertised, stop: make(chan struct{}), done: make(chan struct{})}
	if cfg.RetentionBytes > 0 {
		// kfake applies the broker's retention only when asked.
		go b.retain(time.Second)
	} else {
		close(b.done)
	}

	// Seeds apply only to a fresh cluster: state loaded from DataDir wins,
	// so topics added to the config since then are created here. This also
	// proves the listener answers before Start returns. It dials the local
	// address: the advertised name may only resolve for other machines.
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := createTopics(ctx, local, int(cfg.Partitions), cfg.Topics); err != nil {
		_ = b.Close()
		return nil, err
	}
	cfg.Logger.Info("kafka broker started", "addr", b.addr, "data_dir", cfg.DataDir,
		"partitions", cfg.Partitions, "topics", cfg.Topics)
	return b, nil
}

// Addr is the host:port clients should use to reach the broker; it is also
// the address the broker advertises in metadata.
func (b *Broker) Addr() string { return b.addr }

// Close stops the broker and, with a data directory, saves its state.
// Calling it again does nothing.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		close(b.stop)
		<-b.done
		b.cluster.Close()
	})
	return nil
}

// retain applies the retention every interval until Close.
func (b *Broker) retain(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.cluster.ApplyRetention()
		}
	}
}

// advertisedAddr picks what the broker tells clients to dial.
func advertisedAddr(advertise string, listening net.Addr) (string, error) {
	_, port, err := net.SplitHostPort(listening.String())
	if err != nil {
		return "", err
	}
	if advertise != "" {
		h, p, err := net.SplitHostPort(advertise)
		if err != nil {
			return "", fmt.Errorf("advertised address %q: %w", advertise, err)
		}
		if p == "0" || p == "" {
			p = port // a free port was asked for: advertise the one we got
		}
		return net.JoinHostPort(h, p), nil
	}
	host, _, _ := net.SplitHostPort(listening.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

func createTopics(ctx context.Context, addr string, partitions int, topics []string) error {
	if len(topics) == 0 {
		return nil
	}
	d := &kafka.Dialer{Timeout: setupTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial own listener %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	cfgs := make([]kafka.TopicConfig, len(topics))
	for i, t := range topics {
		cfgs[i] = kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: 1}
	}
	if err := conn.CreateTopics(cfgs...); err != nil {
		return fmt.Errorf("create topics %v: %w", topics, err)
	}
	return nil
}

// advertisingListener reports the advertised address as its own, because
// kfake puts its listener's address into metadata responses.
type advertisingListener struct {
	net.Listener
	addr net.Addr
}

func (l *advertisingListener) Addr() net.Addr { return l.addr }

// hostPort is a net.Addr holding a host:port that may be a name.
type hostPort string

func (hostPort) Network() string  { return "tcp" }
func (h hostPort) String() string { return string(h) }

// slogLogger bridges kfake's logger to slog. kfake logs every request at
// info, which is debug detail for seismo.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	var lv slog.Level
	switch level {
	case kfake.LogLevelError:
		lv = slog.LevelError
	case kfake.LogLevelWarn:
		lv = slog.LevelWarn
	case kfake.LogLevelInfo, kfake.LogLevelDebug:
		lv = slog.LevelDebug
	default:
		return
	}
	ctx := context.Background()
	if !s.l.Enabled(ctx, lv) {
		return
	}
	s.l.Log(ctx, lv, fmt.Sprintf(format, args...), "component", "kfake")
}
