package seismo

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Status is where an incident, or one country of it, stands.
type Status string

// Incident statuses.
const (
	StatusPending  Status = "pending"
	StatusOpen     Status = "open"
	StatusResolved Status = "resolved"
)

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusOpen || s == StatusResolved
}

// Severity grades an incident, like Downdetector's levels above "none".
type Severity string

// Severities.
const (
	SeverityWarning Severity = "warning"
	SeverityDanger  Severity = "danger"
)

// Valid reports whether s is one of the severities above.
func (s Severity) Valid() bool { return s == SeverityWarning || s == SeverityDanger }

// CountryEntry is the state of one country within an incident.
type CountryEntry struct {
	Country  string   `json:"country"`
	Status   Status   `json:"status"`
	Severity Severity `json:"severity"`
	// Observed is distinct reporters in the detection window at the last
	// evaluation, Expected what the baseline predicted for that window.
	Observed int     `json:"observed"`
	Expected float64 `json:"expected"`
	Ratio    float64 `json:"ratio"`
	// Reporters is the peak of Observed over the incident.
	Reporters  int        `json:"reporters"`
	StartedAt  time.Time  `json:"started_at"`
	PeakAt     time.Time  `json:"peak_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

// MarshalJSON writes Expected and Ratio to three significant digits: they
// are estimates, and a person reads 1.53, not 1.5289905973743618.
func (e CountryEntry) MarshalJSON() ([]byte, error) {
	type plain CountryEntry
	p := plain(e)
	p.Expected, p.Ratio = significant(p.Expected), significant(p.Ratio)
	return json.Marshal(p)
}

// significant rounds x to three significant digits.
func significant(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	return r
}

// ProblemShare is what the complaints of an incident said was broken:
// Complaints is how many complaint posts named the problem type, and Share
// their part of all the incident's complaint posts. A post may name no
// type or several, so shares need not add up to one.
type ProblemShare struct {
	Problem    Problem `json:"problem"`
	Complaints int     `json:"complaints"`
	Share      float64 `json:"share"`
}

// MarshalJSON writes Share to three significant digits.
func (p ProblemShare) MarshalJSON() ([]byte, error) {
	type plain ProblemShare
	q := plain(p)
	q.Share = significant(q.Share)
	return json.Marshal(q)
}

// Sample is one post shown as an example of an incident. Author is never
// included.
type Sample struct {
	PostID    string    `json:"id"`
	Text      string    `json:"text"`
	Lang      string    `json:"lang,omitempty"`
	Country   string    `json:"country,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url,omitempty"`
	// Problem and Cues are why the classifier counted the post: the
	// symptom it read and the evidence it matched.
	Problem Problem `json:"problem,omitempty"`
	Cues    []Cue   `json:"cues,omitempty"`
}

// Incident is a detected outage of one service, across countries.
type Incident struct {
	ID          string         `json:"id"`
	Service     string         `json:"service"`
	ServiceName string         `json:"service_name,omitempty"`
	Status      Status         `json:"status"`
	Severity    Severity       `json:"severity"`
	StartedAt   time.Time      `json:"started_at"`
	PeakAt      time.Time      `json:"peak_at"`
	ResolvedAt  *time.Time     `json:"resolved_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Countries   []CountryEntry `json:"countries"`
	// Global is the aggregate over all countries (Country "*"), present
	// once it fired: it can open an incident that no single country would.
	Global   *CountryEntry  `json:"global"`
	Problems []ProblemShare `json:"problems"`
	// Related lists the incidents of services with the same parent
	// company that were open at the same time, like Facebook, Instagram
	// and WhatsApp on 4 October 2021.
	Related []string `json:"related"`
	Samples []Sample `json:"samples"`
	// SilencedBy names the silence that holds back the incident's
	// webhooks, when one does: it is set where incidents are served, not
	// stored.
	SilencedBy string `json:"silenced_by,omitempty"`
}

// Country returns the entry for country c, or nil. AllCountries returns
// the global entry.
func (in *Incident) Country(c string) *CountryEntry {
	if c == AllCountries {
		return in.Global
	}
	for i := range in.Countries {
		if in.Countries[i].Country == c {
			return &in.Countries[i]
		}
	}
	return nil
}

// Event types. Every incident event that leaves seismo has one of these.
const (
	EventOpened   = "incident.opened"
	EventUpdated  = "incident.updated"
	EventResolved = "incident.resolved"
)

// Event announces a change of an incident. Timestamp is event time: the
// minute edge of the watermark at which the detector saw the change. ID is
// derived from the incident, the type and the timestamp (see EventID), so
// a detector that takes over and evaluates the same minute again names the
// same event the same way: consumers deduplicate on it.
type Event struct {
	ID        string    `json:"event_id"`
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Incident  `json:"data"`
}

// NewEvent returns the event of type typ about in at timestamp at, with its
// ID.
func NewEvent(typ string, at time.Time, in Incident) Event {
	return Event{ID: EventID(in.ID, typ, at), Type: typ, Timestamp: at, Data: in}
}

// EventID names the event of type typ about incident id at timestamp at:
// "whatsapp-20240403T1810Z.updated.20240403T1816Z". An incident has at most
// one event per minute, so the name is unique, and it depends on nothing
// but the event itself.
func EventID(incident, typ string, at time.Time) string {
	short, _ := strings.CutPrefix(typ, "incident.")
	return incident + "." + short + "." + at.UTC().Format("20060102T1504Z")
}

// StreamEvent is an incident event as read from the incident event stream:
// ID is its position in the stream (not the event's own ID), which a reader
// passes back to continue after it.
type StreamEvent struct {
	ID    string
	Event Event
}
