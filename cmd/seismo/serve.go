package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/profile"
)

// serveFlags configure seismo run.
type serveFlags struct {
	brokers, topic, group, dlqTopic string
	incidentsTopic                  string
	redis                           redisFlags
	httpAddr                        string
	api                             apiFlags
	reporterKey                     string
	workerID, instance              string
	leaseTTL                        time.Duration
	detectShards                    int
	lateness, idleTimeout           time.Duration
	createTopics, detect            bool
	partitions                      int
	cls                             classifierFlags
	knobs                           detect.Knobs
	log                             logFlags
	cpuProfile, memProfile          string
}

func (s *serveFlags) register(fs *flag.FlagSet) {
	def := ingest.DefaultConfig()
	fs.StringVar(&s.brokers, "kafka-brokers", "localhost:9092", "Kafka bootstrap brokers, comma-separated")
	fs.StringVar(&s.topic, "topic", def.Topic, "topic of posts")
	fs.StringVar(&s.group, "group", def.GroupID, "consumer group of the ingest workers")
	fs.StringVar(&s.dlqTopic, "dlq-topic", def.DLQTopic, "dead-letter topic for invalid posts")
	fs.StringVar(&s.incidentsTopic, "incidents-topic", "seismo.incidents", "topic that receives every incident event (empty: none)")
	s.redis.register(fs)
	fs.StringVar(&s.httpAddr, "http-addr", ":8080", "address of the HTTP API and dashboard")
	s.api.register(fs)
	fs.StringVar(&s.reporterKey, "reporter-key", "", "secret key for hashing authors; by default a random key shared through Redis")
	fs.StringVar(&s.workerID, "worker-id", "", "name of this ingest worker (default host-pid)")
	fs.DurationVar(&s.lateness, "lateness", def.Lateness, "allowed lateness of posts behind the newest event time of a partition")
	fs.DurationVar(&s.idleTimeout, "idle-timeout", def.IdleTimeout, "a partition caught up to its end this long stops holding the detector's watermark back")
	fs.BoolVar(&s.detect, "detect", true, "campaign for the detector lease: the one process that holds it runs the detector\nand the incident event relay, another takes over when it stops (false: ingest and API only)")
	fs.StringVar(&s.instance, "instance", "", "name of this process in the detector lease (default host-pid-random)")
	fs.DurationVar(&s.leaseTTL, "lease-ttl", 15*time.Second, "lifetime of the detector leases: a crashed leader is replaced within about this long")
	fs.IntVar(&s.detectShards, "detect-shards", 1, "split detection into this many shards by service (a company's services stay together),\neach under a lease of its own; every run process takes its fair share. Every process must use the same")
	fs.BoolVar(&s.createTopics, "create-topics", true, "create the posts, dead-letter and incidents topics when missing")
	fs.IntVar(&s.partitions, "partitions", 3, "partitions of topics created by --create-topics")
	fs.Var(&s.knobs, "knob", knobUsage)
	s.cls.register(fs)
	s.log.register(fs)
	fs.StringVar(&s.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof reads it)")
	fs.StringVar(&s.memProfile, "memprofile", "", "write a heap profile (allocations since start, and what is live) to this file when the run ends")
}

func (s *serveFlags) ingestConfig() ingest.Config {
	c := ingest.DefaultConfig()
	c.Brokers = list(s.brokers)
	c.Topic, c.GroupID, c.DLQTopic = s.topic, s.group, s.dlqTopic
	if s.workerID != "" {
		c.WorkerID = s.workerID
	}
	c.Lateness, c.IdleTimeout = s.lateness, s.idleTimeout
	return c
}

// redisFlags say how to reach Redis, for the commands that use a real one.
type redisFlags struct {
	addr, password string
	db             int
	cluster        bool
}

func (r *redisFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.addr, "redis-addr", "localhost:6379", "Redis address; for Redis Cluster, one or more seed nodes, comma-separated")
	fs.StringVar(&r.password, "redis-password", "", "Redis password")
	fs.IntVar(&r.db, "redis-db", 0, "Redis database number (0 on Redis Cluster, which has no other)")
	fs.BoolVar(&r.cluster, "redis-cluster", false, "use the Redis Cluster client; without it seismo asks the server\n(INFO cluster) and uses it when the server runs in cluster mode")
}

// client connects to the Redis the flags name (app.OpenRedis).
func (r *redisFlags) client(ctx context.Context) (redis.UniversalClient, error) {
	c, err := app.OpenRedis(ctx, app.RedisOptions{Addrs: list(r.addr), Password: r.password, DB: r.db, Cluster: r.cluster})
	if errors.Is(err, app.ErrClusterDB) || err != nil && len(list(r.addr)) == 0 {
		return nil, fmt.Errorf("%w: --redis-addr %q, --redis-db %d: %v", errUsage, r.addr, r.db, err)
	}
	return c, err
}

func runServe(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("run", "run [flags]", sio.err)
	var sf serveFlags
	sf.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if err := durationPositive("lease-ttl", sf.leaseTTL); err != nil {
		return err
	}
	if sf.detectShards < 1 || sf.detectShards > 1024 {
		return fmt.Errorf("%w: --detect-shards %d: want 1 to 1024", errUsage, sf.detectShards)
	}
	adminToken, err := sf.api.admin()
	if err != nil {
		return err
	}
	webhooks, err := sf.api.webhooks()
	if err != nil {
		return err
	}
	dcfg, err := knobConfig(sf.knobs, detect.DefaultConfig())
	if err != nil {
		return err
	}
	log, err := sf.log.logger(sio.err)
	if err != nil {
		return err
	}
	rdb, err := sf.redis.client(ctx)
	if err != nil {
		return err
	}
	defer rdb.Close()
	key, err := app.ReporterKey(ctx, rdb, sf.reporterKey)
	if err != nil {
		return err
	}
	if sf.createTopics {
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		topics := []string{sf.topic, sf.dlqTopic}
		if sf.incidentsTopic != "" {
			topics = append(topics, sf.incidentsTopic)
		}
		err := ingest.EnsureTopics(tctx, list(sf.brokers), sf.partitions, topics...)
		cancel()
		if err != nil {
			return fmt.Errorf("create topics: %w", err)
		}
	}
	log.Info("loading classifier", "languages", sf.cls.languages)
	cls, err := sf.cls.build()
	if err != nil {
		return err
	}
	opts := app.Options{
		Webhooks: webhooks, Redis: rdb, Classifier: cls, Ingest: sf.ingestConfig(), Detect: dcfg,
		ReporterKey: key, HTTPAddr: sf.httpAddr, IncidentsTopic: sf.incidentsTopic, NoDetector: !sf.detect,
		Instance: sf.instance, LeaseTTL: sf.leaseTTL, DetectShards: sf.detectShards, Logger: log,
		AdminToken: adminToken, ReadToken: sf.api.readToken, PublicURL: sf.api.publicURL,
	}
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := app.New(opts)
	if err != nil {
		return err
	}
	if sf.cpuProfile != "" || sf.memProfile != "" {
		stop, err := profile.Start(sf.cpuProfile, sf.memProfile)
		if err != nil {
			return err
		}
		defer func() {
			if err := stop(); err != nil {
				log.Error("write profiles", "err", err)
			}
		}()
	}
	log.Info("seismo running", "api", a.URL()+"/v1/incidents", "kafka", sf.brokers, "topic", sf.topic, "redis", sf.redis.addr,
		"admin_endpoints", adminToken != "", "public_reads", sf.api.readToken == "")
	return a.Run(ctx)
}
