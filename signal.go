package seismo

// Problem types, the symptom a complaint describes.
const (
	ProblemMessages      = "messages"
	ProblemConnection    = "connection"
	ProblemLogin         = "login"
	ProblemAppCrash      = "app_crash"
	ProblemServerError   = "server_error"
	ProblemCalls         = "calls"
	ProblemMedia         = "media"
	ProblemFeed          = "feed"
	ProblemNotifications = "notifications"
	ProblemPayments      = "payments"
	ProblemTotalOutage   = "total_outage"
)

// Cue is one piece of evidence the classifier matched, kept so an analyst
// can see why a post counted or did not.
type Cue struct {
	// Kind is the cue family: service, outage, symptom, question, hashtag,
	// recovery, negative, problem.
	Kind string `json:"kind"`
	// Match is the text that matched, after normalisation.
	Match string `json:"match"`
	// Value is what the cue stands for: a service id, a problem type or the
	// name of a negative family.
	Value string `json:"value,omitempty"`
}

// Signal is the classifier's verdict on one post.
type Signal struct {
	PostID string `json:"id"`
	// Services are canonical service ids: for a complaint the services said
	// to be broken, for a recovery those said to be back; otherwise the
	// services mentioned.
	Services  []string `json:"services"`
	Complaint bool     `json:"complaint"`
	Recovery  bool     `json:"recovery"`
	// Problem is set for complaints only.
	Problem    string  `json:"problem,omitempty"`
	Lang       string  `json:"lang,omitempty"`
	Country    string  `json:"country,omitempty"`
	Confidence float64 `json:"confidence"`
	Cues       []Cue   `json:"cues"`
}

// Counts reports whether the signal feeds the counters: a complaint or a
// recovery about at least one service.
func (s *Signal) Counts() bool {
	return (s.Complaint || s.Recovery) && len(s.Services) > 0
}

// Report is a decoded post with its signal, ready to be counted.
type Report struct {
	Post   Post
	Signal Signal
	// Late marks a post older than the watermark of its partition when it
	// arrived. Late posts are counted apart from the detection counters, so
	// what the detector sees depends only on each partition's order, never
	// on how fast partitions were read: a replay gives the incidents of
	// the live run.
	Late bool
}
