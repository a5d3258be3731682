package seismo

import (
	"encoding/json"
	"time"
)

// SeriesPoint is one step of a series as the detector saw it, for charts:
// Observed sums the distinct complaining reporters of the step's minutes (a
// reporter who complains in two minutes of one step counts twice),
// Expected is what the baseline expected over the step, and Upper the count
// over the step above which the detector fires, if it is held. Expected and
// Upper are nil for a step the detector evaluated no minute of (the series
// was quiet), and otherwise sum the minutes it did evaluate: a quiet minute
// has no reporters and expected next to none.
type SeriesPoint struct {
	T        time.Time `json:"t"`
	Observed int       `json:"observed"`
	Expected *float64  `json:"expected"`
	Upper    *float64  `json:"upper"`
	// Level is the worst the detector graded any minute of the step, over
	// all its windows: none, warning or danger. Upper is a line to read
	// by; Level is what the detector decided.
	Level string `json:"level"`
}

// SeriesNow is one series as the detector last evaluated it: distinct
// reporters in its detection window against what was expected there, and
// the severity it fired at ("" when it did not).
type SeriesNow struct {
	Service  string   `json:"service"`
	Country  string   `json:"country"`
	Observed int      `json:"observed"`
	Expected float64  `json:"expected"`
	Severity Severity `json:"severity,omitempty"`
}

// Activity is what the complaints about one series said over a span: how
// many there were, the problem types and languages they came in, and the
// newest sample posts with the cues that counted them.
type Activity struct {
	Complaints int64           `json:"complaints"`
	Problems   []ProblemShare  `json:"problems"`
	Languages  []LanguageShare `json:"languages"`
	Samples    []Sample        `json:"samples"`
}

// LanguageShare is how many complaint posts came in one language (ISO 639-1),
// and their part of all of them.
type LanguageShare struct {
	Lang       string  `json:"lang"`
	Complaints int64   `json:"complaints"`
	Share      float64 `json:"share"`
}

// MarshalJSON writes Share to three significant digits.
func (l LanguageShare) MarshalJSON() ([]byte, error) {
	type plain LanguageShare
	q := plain(l)
	q.Share = significant(q.Share)
	return json.Marshal(q)
}
