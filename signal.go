package seismo

// Problem is the symptom a complaint describes. It names the counters of
// each minute and the shares of an incident, so the set is small and
// stable; like Status and Severity it encodes as its plain string.
type Problem string

// Problem types.
const (
	ProblemMessages      Problem = "messages"
	ProblemConnection    Problem = "connection"
	ProblemLogin         Problem = "login"
	ProblemAppCrash      Problem = "app_crash"
	ProblemServerError   Problem = "server_error"
	ProblemCalls         Problem = "calls"
	ProblemMedia         Problem = "media"
	ProblemFeed          Problem = "feed"
	ProblemNotifications Problem = "notifications"
	ProblemPayments      Problem = "payments"
	ProblemTotalOutage   Problem = "total_outage"
)

// Valid reports whether p is one of the problem types above.
func (p Problem) Valid() bool {
	switch p {
	case ProblemMessages, ProblemConnection, ProblemLogin, ProblemAppCrash, ProblemServerError,
		ProblemCalls, ProblemMedia, ProblemFeed, ProblemNotifications, ProblemPayments, ProblemTotalOutage:
		return true
	}
	return false
}

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
	// Collateral marks a complaint that only asks whether its services
	// are down too ("is Instagram down too?"), as people do during another
	// service's outage. It is recorded, but it does not count towards
	// detection: such questions follow an outage elsewhere, they do not
	// report one here.
	Collateral bool `json:"collateral,omitempty"`
	// Problem is set for complaints only.
	Problem    Problem `json:"problem,omitempty"`
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
