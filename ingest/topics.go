package ingest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// ensureTimeout bounds EnsureTopics when ctx has no deadline of its own.
const ensureTimeout = 15 * time.Second

// EnsureTopics creates the topics that do not exist yet, with the given
// number of partitions and a replication factor of up to 3 (fewer on a
// smaller cluster). Existing topics are left as they are.
func EnsureTopics(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	if len(topics) == 0 {
		return nil
	}
	if len(brokers) == 0 {
		return errors.New("ensure topics: no brokers")
	}
	if partitions < 1 {
		return fmt.Errorf("ensure topics: %d partitions", partitions)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ensureTimeout)
		defer cancel()
	}
	d := &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, ClientID: "seismo-ingest-admin"}

	var conn *kafka.Conn
	var errs []error
	for _, b := range brokers {
		c, err := d.DialContext(ctx, "tcp", b)
		if err == nil {
			conn = c
			break
		}
		errs = append(errs, err)
	}
	if conn == nil {
		return fmt.Errorf("ensure topics: no broker reachable: %w", errors.Join(errs...))
	}
	defer conn.Close()
	dl, _ := ctx.Deadline()
	_ = conn.SetDeadline(dl)

	// Topics are created by the controller; any broker can say which it is.
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("ensure topics: find controller: %w", err)
	}
	all, err := conn.Brokers()
	if err != nil {
		return fmt.Errorf("ensure topics: list brokers: %w", err)
	}
	cc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("ensure topics: dial controller %s:%d: %w", ctrl.Host, ctrl.Port, err)
	}
	defer cc.Close()
	_ = cc.SetDeadline(dl)

	rf := min(3, max(1, len(all)))
	cfgs := make([]kafka.TopicConfig, len(topics))
	for i, t := range topics {
		cfgs[i] = kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: rf}
	}
	if err := cc.CreateTopics(cfgs...); err != nil {
		return fmt.Errorf("ensure topics %v: %w", topics, err)
	}
	return nil
}
