package notify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seismo-dev/seismo"
)

// Webhook event types besides the incident events.
const (
	// EventTest is what POST /v1/webhooks/{id}/test sends.
	EventTest = "webhook.test"
)

// Formats of a webhook's body.
const (
	// FormatStandard posts the incident event envelope, signed as the
	// Standard Webhooks specification says.
	FormatStandard = "standard"
	// FormatSlack posts a Slack-compatible message (text and blocks) to an
	// incoming-webhook URL, signed all the same.
	FormatSlack = "slack"
)

// Subscription is a registered webhook: where to send which incident
// events, and how.
type Subscription struct {
	ID          string `json:"id"`
	URL         string `json:"url"`
	Description string `json:"description"`
	// Services, Countries and Events narrow what is sent; empty means all.
	// A country matches an incident that has it among its countries.
	Services    []string        `json:"services"`
	Countries   []string        `json:"countries"`
	MinSeverity seismo.Severity `json:"min_severity"`
	Events      []string        `json:"events"`
	Format      string          `json:"format"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	// Disabled subscriptions get nothing; one that failed every attempt
	// for DisableAfter is disabled by seismo, with the reason.
	Disabled       bool       `json:"disabled"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since,omitempty"`
}

// SubscriptionInput is what a client sends to create or change a
// subscription; a nil field is left as it is (or takes its default on
// creation).
type SubscriptionInput struct {
	URL         *string          `json:"url"`
	Description *string          `json:"description"`
	Services    *[]string        `json:"services"`
	Countries   *[]string        `json:"countries"`
	MinSeverity *seismo.Severity `json:"min_severity"`
	Events      *[]string        `json:"events"`
	Format      *string          `json:"format"`
	Disabled    *bool            `json:"disabled"`
}

// apply sets the given fields of s and checks the result, naming every bad
// field at once. services lists the known service ids (nil accepts any).
func (in SubscriptionInput) apply(s *Subscription, services []string) error {
	if in.URL != nil {
		s.URL = strings.TrimSpace(*in.URL)
	}
	if in.Description != nil {
		s.Description = *in.Description
	}
	if in.Services != nil {
		s.Services = normalise(*in.Services, strings.ToLower)
	}
	if in.Countries != nil {
		s.Countries = normalise(*in.Countries, strings.ToUpper)
	}
	if in.MinSeverity != nil {
		s.MinSeverity = *in.MinSeverity
	}
	if in.Events != nil {
		s.Events = normalise(*in.Events, strings.ToLower)
	}
	if in.Format != nil {
		s.Format = *in.Format
	}
	if in.Disabled != nil {
		s.Disabled = *in.Disabled
		if !s.Disabled {
			s.DisabledReason, s.FailingSince = "", nil
		}
	}
	if s.MinSeverity == "" {
		s.MinSeverity = seismo.SeverityWarning
	}
	if s.Format == "" {
		s.Format = FormatStandard
	}
	var errs []error
	if s.URL == "" {
		errs = append(errs, errors.New("url is required"))
	}
	if len(s.Description) > 500 {
		errs = append(errs, errors.New("description is longer than 500 bytes"))
	}
	for _, svc := range s.Services {
		if services != nil && !slices.Contains(services, svc) {
			errs = append(errs, fmt.Errorf("services: unknown service %q", svc))
		}
	}
	for _, c := range s.Countries {
		if !validCountry(c) {
			errs = append(errs, fmt.Errorf("countries: %q is not an ISO 3166-1 alpha-2 code, ZZ or *", c))
		}
	}
	if !s.MinSeverity.Valid() {
		errs = append(errs, fmt.Errorf("min_severity: %q is not warning or danger", s.MinSeverity))
	}
	for _, e := range s.Events {
		if e != seismo.EventOpened && e != seismo.EventUpdated && e != seismo.EventResolved {
			errs = append(errs, fmt.Errorf("events: %q is not %s, %s or %s", e, seismo.EventOpened, seismo.EventUpdated, seismo.EventResolved))
		}
	}
	if s.Format != FormatStandard && s.Format != FormatSlack {
		errs = append(errs, fmt.Errorf("format: %q is not %s or %s", s.Format, FormatStandard, FormatSlack))
	}
	if len(s.Services) > 100 || len(s.Countries) > 300 {
		errs = append(errs, errors.New("too many services or countries"))
	}
	return errors.Join(errs...)
}

// normalise trims, maps, drops empties and duplicates, and sorts, so equal
// filters compare equal; nil stays an empty list in JSON.
func normalise(in []string, f func(string) string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if v = f(strings.TrimSpace(v)); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func validCountry(c string) bool {
	if c == seismo.AllCountries {
		return true
	}
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// Matches reports whether ev is for s: its type, service, countries and
// severity pass s's filters. A test event matches only when sent on
// purpose, never here.
func (s *Subscription) Matches(ev seismo.Event) bool {
	if s.Disabled || ev.Type == EventTest {
		return false
	}
	if len(s.Events) > 0 && !slices.Contains(s.Events, ev.Type) {
		return false
	}
	if len(s.Services) > 0 && !slices.Contains(s.Services, ev.Data.Service) {
		return false
	}
	if s.MinSeverity == seismo.SeverityDanger && ev.Data.Severity != seismo.SeverityDanger {
		return false
	}
	if len(s.Countries) == 0 {
		return true
	}
	for _, c := range ev.Data.Countries {
		if slices.Contains(s.Countries, c.Country) {
			return true
		}
	}
	return ev.Data.Global != nil && slices.Contains(s.Countries, seismo.AllCountries)
}

// Silence holds back the webhooks of matching incidents for a while, as
// Alertmanager's silences do; the incidents are still detected and listed.
type Silence struct {
	ID string `json:"id"`
	// Service is the service whose incidents are silenced.
	Service string `json:"service"`
	// Countries narrows the silence: an incident is silenced only if every
	// country it has is listed. Empty means every country.
	Countries []string  `json:"countries"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// SilenceInput is what a client sends to create a silence.
type SilenceInput struct {
	Service   string     `json:"service"`
	Countries []string   `json:"countries"`
	StartsAt  *time.Time `json:"starts_at"`
	EndsAt    *time.Time `json:"ends_at"`
	Comment   string     `json:"comment"`
}

// silence checks in and makes a silence of it at now, naming every bad
// field at once.
func (in SilenceInput) silence(now time.Time, services []string) (Silence, error) {
	s := Silence{Service: strings.ToLower(strings.TrimSpace(in.Service)),
		Countries: normalise(in.Countries, strings.ToUpper), Comment: in.Comment, CreatedAt: now, StartsAt: now}
	if in.StartsAt != nil {
		s.StartsAt = in.StartsAt.UTC()
	}
	var errs []error
	switch {
	case s.Service == "":
		errs = append(errs, errors.New("service is required"))
	case services != nil && !slices.Contains(services, s.Service):
		errs = append(errs, fmt.Errorf("service: unknown service %q", s.Service))
	}
	for _, c := range s.Countries {
		if !validCountry(c) {
			errs = append(errs, fmt.Errorf("countries: %q is not an ISO 3166-1 alpha-2 code, ZZ or *", c))
		}
	}
	if in.EndsAt == nil {
		errs = append(errs, errors.New("ends_at is required"))
	} else {
		s.EndsAt = in.EndsAt.UTC()
		if !s.EndsAt.After(s.StartsAt) || !s.EndsAt.After(now) {
			errs = append(errs, errors.New("ends_at must be after starts_at and in the future"))
		}
	}
	if len(s.Comment) > 1000 {
		errs = append(errs, errors.New("comment is longer than 1000 bytes"))
	}
	return s, errors.Join(errs...)
}

// Active reports whether s holds at t.
func (s *Silence) Active(t time.Time) bool { return !t.Before(s.StartsAt) && t.Before(s.EndsAt) }

// Covers reports whether s silences inc at t.
func (s *Silence) Covers(inc *seismo.Incident, t time.Time) bool {
	if !s.Active(t) || inc.Service != s.Service {
		return false
	}
	if len(s.Countries) == 0 {
		return true
	}
	for _, c := range inc.Countries {
		if !slices.Contains(s.Countries, c.Country) {
			return false
		}
	}
	return len(inc.Countries) > 0 || slices.Contains(s.Countries, seismo.AllCountries)
}
