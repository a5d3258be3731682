package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// runHealthcheck asks a running seismo whether it is alive, for container
// health checks in images that have no shell or curl (deploy/Dockerfile):
// exit status 0 when the URL answers 200 within the timeout, 1 otherwise.
func runHealthcheck(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("healthcheck", "healthcheck [--url URL] [--timeout D]", sio.err)
	target := fs.String("url", "http://127.0.0.1:8080/healthz", "URL to ask; /readyz asks whether the process is ready too")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if u, err := url.Parse(*target); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%w: --url %q: want an absolute http or https URL", errUsage, *target)
	}
	if err := durationPositive("timeout", *timeout); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *target, resp.Status)
	}
	fmt.Fprintf(sio.out, "%s: %s\n", *target, resp.Status)
	return nil
}
