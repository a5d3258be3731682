// Package seismo holds the vocabulary of the seismo outage detector: posts,
// classifier signals, incidents and the events that announce them. It does no
// I/O; the subpackages adapt Kafka, Redis and HTTP around these types.
package seismo
