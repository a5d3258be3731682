// Package detect counts distinct complainers per (service, country) and
// minute in Redis and turns unusual jumps into incidents.
//
// The Store is the Redis adapter: idempotent counters written by the ingest
// workers (Record; late posts are counted apart and never reach detection),
// the event-time watermark they publish, incident storage and the incident
// event stream. The Detector evaluates every completed
// minute of the watermark exactly once, compares the distinct reporters of a
// short window with what the series' baseline expects, and runs the
// pending/open/resolved lifecycle of incidents. All of its state lives in
// Redis, so a restarted detector continues where the last one stopped, and a
// replay of the same posts yields the same incidents and events.
package detect
