package simulate

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileScenario is the YAML scenario format (see Parse). Field names are
// snake_case; unknown fields are errors.
type fileScenario struct {
	Name                string                 `yaml:"name"`
	Description         string                 `yaml:"description"`
	Seed                uint64                 `yaml:"seed"`
	Start               time.Time              `yaml:"start"`
	End                 time.Time              `yaml:"end"`
	Rhythm              []float64              `yaml:"rhythm"`
	DayToDay            float64                `yaml:"day_to_day"`
	UnknownCountryShare float64                `yaml:"unknown_country_share"`
	LangHintShare       float64                `yaml:"lang_hint_share"`
	Services            map[string]fileService `yaml:"services"`
	Countries           map[string]fileCountry `yaml:"countries"`
	Outages             []fileOutage           `yaml:"outages"`
	Spam                []fileSpam             `yaml:"spam"`
	News                []fileNews             `yaml:"news"`
}

type fileService struct {
	Baseline float64   `yaml:"baseline"`
	Rhythm   []float64 `yaml:"rhythm"`
}

type fileCountry struct {
	TZ             string             `yaml:"tz"`
	Langs          map[string]float64 `yaml:"langs"`
	Chatter        float64            `yaml:"chatter"`
	MentionShare   *float64           `yaml:"mention_share"`
	ComplaintScale *float64           `yaml:"complaint_scale"`
}

type fileOutage struct {
	Name          string                        `yaml:"name"`
	Start         time.Time                     `yaml:"start"`
	Duration      time.Duration                 `yaml:"duration"`
	Ramp          time.Duration                 `yaml:"ramp"`
	RecoveryShare float64                       `yaml:"recovery_share"`
	Collateral    map[string]float64            `yaml:"collateral"`
	Reporters     map[string]map[string]int     `yaml:"reporters"`
	Reports       map[string]map[string]float64 `yaml:"reports"`
	Scale         float64                       `yaml:"scale"`
}

type fileSpam struct {
	Country  string        `yaml:"country"`
	Service  string        `yaml:"service"`
	Start    time.Time     `yaml:"start"`
	Duration time.Duration `yaml:"duration"`
	Posts    int           `yaml:"posts"`
	Author   string        `yaml:"author"`
}

type fileNews struct {
	Service   string             `yaml:"service"`
	Start     time.Time          `yaml:"start"`
	Duration  time.Duration      `yaml:"duration"`
	Posts     int                `yaml:"posts"`
	Countries map[string]float64 `yaml:"countries"`
	URL       string             `yaml:"url"`
	Year      int                `yaml:"year"`
}

// Defaults of the YAML format for fields left out.
const (
	defaultMentionShare   = 0.12
	defaultComplaintScale = 1
)

// Parse reads a scenario from YAML and validates it. Unknown fields, values
// of the wrong type and every problem Validate finds are errors, each a
// *FieldError with the field's path and line, joined.
//
// The top level has name, description, seed, start and end (RFC 3339, whole
// minutes), rhythm (24 shares of peak activity by local hour), day_to_day,
// unknown_country_share, lang_hint_share and:
//
//	services:  {<id>: {baseline, rhythm}}
//	countries: {<ISO code>: {tz, langs: {<lang>: weight}, chatter, mention_share (0.12), complaint_scale (1)}}
//	outages:   [{name, start, duration, ramp, recovery_share, collateral: {<service>: share},
//	             reporters: {<service>: {<country>: n}}  or  reports: {...} with scale}]
//	spam:      [{country, service, start, duration, posts, author}]
//	news:      [{service, start, duration, posts, countries: {<country>: weight}, url, year}]
//
// reports are Downdetector-like counts; scale of them make one posting
// complainer (reporters = reports / scale, rounded). Durations are Go
// durations (90m, 2h).
func Parse(data []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, errors.New("scenario: the file is empty")
	}
	d := &decoder{lines: map[string]int{}}
	var f fileScenario
	d.decode(root.Content[0], "", reflect.ValueOf(&f).Elem())
	if len(d.problems) > 0 {
		return nil, d.problems.err()
	}
	s, p := f.scenario()
	// Validate finds the rest; a field the conversion already faulted
	// (a time zone it could not load) is not reported twice.
	faulted := map[string]bool{}
	for _, e := range p {
		faulted[e.(*FieldError).Path] = true
	}
	if err := s.Validate(); err != nil {
		for _, e := range unjoin(err) {
			var fe *FieldError
			if !errors.As(e, &fe) || !faulted[fe.Path] {
				p = append(p, e)
			}
		}
	}
	if len(p) > 0 {
		for _, e := range p {
			var fe *FieldError
			if errors.As(e, &fe) && fe.Line == 0 {
				fe.Line = d.line(fe.Path)
			}
		}
		return nil, p.err()
	}
	return s, nil
}

func unjoin(err error) problems {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return problems{err}
}

// scenario converts the file's fields, resolving time zones and turning
// report counts into reporters.
func (f *fileScenario) scenario() (*Scenario, problems) {
	var p problems
	s := &Scenario{
		Name:                f.Name,
		Description:         strings.TrimSpace(f.Description),
		Start:               f.Start.UTC(),
		End:                 f.End.UTC(),
		Seed:                f.Seed,
		DayToDay:            f.DayToDay,
		UnknownCountryShare: f.UnknownCountryShare,
		LangHintShare:       f.LangHintShare,
	}
	s.Rhythm = rhythm(&p, "rhythm", f.Rhythm)
	for _, id := range sortedKeys(f.Services) {
		fs := f.Services[id]
		s.Services = append(s.Services, Service{ID: id, Baseline: fs.Baseline, Rhythm: rhythm(&p, "services."+id+".rhythm", fs.Rhythm)})
	}
	for _, code := range sortedKeys(f.Countries) {
		fc := f.Countries[code]
		c := Country{Code: code, Chatter: fc.Chatter, MentionShare: defaultMentionShare, ComplaintScale: defaultComplaintScale}
		if fc.MentionShare != nil {
			c.MentionShare = *fc.MentionShare
		}
		if fc.ComplaintScale != nil {
			c.ComplaintScale = *fc.ComplaintScale
		}
		if fc.TZ != "" {
			loc, err := time.LoadLocation(fc.TZ)
			if err != nil || fc.TZ == "Local" {
				p.add("countries."+code+".tz", "unknown time zone %q: want an IANA name such as Europe/London", fc.TZ)
			}
			c.Location = loc
		}
		for _, l := range sortedKeys(fc.Langs) {
			c.Langs = append(c.Langs, Share{Value: l, Weight: fc.Langs[l]})
		}
		s.Countries = append(s.Countries, c)
	}
	for i, fo := range f.Outages {
		path := fmt.Sprintf("outages[%d]", i)
		o := Outage{Name: fo.Name, Start: fo.Start.UTC(), Duration: fo.Duration, Ramp: fo.Ramp,
			RecoveryShare: fo.RecoveryShare, Collateral: fo.Collateral, Reporters: fo.Reporters}
		switch {
		case fo.Reports != nil && fo.Reporters != nil:
			p.add(path+".reports", "reports and reporters exclude each other: give one")
		case fo.Reports != nil && fo.Scale <= 0:
			p.add(path+".scale", "required with reports: Downdetector reports per posting complainer, such as 25")
		case fo.Reports == nil && fo.Scale != 0:
			p.add(path+".scale", "only means something with reports")
		case fo.Reports != nil:
			o.sizeField = "reports"
			o.Reporters = map[string]map[string]int{}
			for _, svc := range sortedKeys(fo.Reports) {
				o.Reporters[svc] = map[string]int{}
				for _, code := range sortedKeys(fo.Reports[svc]) {
					r := fo.Reports[svc][code]
					n := int(math.Round(r / fo.Scale))
					if n < 1 {
						p.add(fmt.Sprintf("%s.reports.%s.%s", path, svc, code), "%v reports at scale %v round to no reporter", r, fo.Scale)
						n = 1 // reported once, here
					}
					o.Reporters[svc][code] = n
				}
			}
		}
		s.Outages = append(s.Outages, o)
	}
	for _, fs := range f.Spam {
		sp := Spam(fs)
		sp.Start = sp.Start.UTC()
		s.Spam = append(s.Spam, sp)
	}
	for _, fn := range f.News {
		nw := News{Service: fn.Service, Start: fn.Start.UTC(), Duration: fn.Duration, Posts: fn.Posts, URL: fn.URL, Year: fn.Year}
		for _, code := range sortedKeys(fn.Countries) {
			nw.Countries = append(nw.Countries, Share{Value: code, Weight: fn.Countries[code]})
		}
		s.News = append(s.News, nw)
	}
	return s, p
}

func rhythm(p *problems, path string, v []float64) *Rhythm {
	if v == nil {
		return nil
	}
	if len(v) != 24 {
		p.add(path, "%d values: want 24, one for each local hour from 0:00", len(v))
		return nil
	}
	var r Rhythm
	copy(r[:], v)
	return &r
}

// decoder fills the file structs from a YAML node tree, strictly, noting
// the line of every path so later errors can point into the file.
type decoder struct {
	lines    map[string]int
	problems problems
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.problems = append(d.problems, &FieldError{Path: orRoot(path), Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

func orRoot(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

// line returns the line of path, or of its nearest parent in the file.
func (d *decoder) line(path string) int {
	for path != "" {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // absent: the zero value or the default
	}
	switch v.Type() {
	case timeType:
		if !d.scalar(n, path) {
			return
		}
		t, err := time.Parse(time.RFC3339, n.Value)
		if err != nil {
			d.fail(n, path, "%q is not an RFC 3339 time such as 2024-04-03T18:10:00Z", n.Value)
			return
		}
		v.Set(reflect.ValueOf(t))
		return
	case durationType:
		if !d.scalar(n, path) {
			return
		}
		dur, err := time.ParseDuration(n.Value)
		if err != nil {
			d.fail(n, path, "%q is not a duration such as 90m or 2h", n.Value)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.decode(n, path, p.Elem())
		v.Set(p)
	case reflect.Struct:
		d.structure(n, path, v)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "want a mapping of names to values, got %s", describe(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				d.fail(k, path, "want a name as key, got %s", describe(k))
				continue
			}
			kpath := join(path, k.Value)
			if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
				d.fail(k, kpath, "given twice")
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, kpath, e)
			m.SetMapIndex(reflect.ValueOf(k.Value), e)
		}
		v.Set(m)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, e := range n.Content {
			d.decode(e, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		if d.scalar(n, path) {
			v.SetString(n.Value)
		}
	case reflect.Float64:
		if !d.scalar(n, path) {
			return
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.fail(n, path, "%q is not a number", n.Value)
			return
		}
		v.SetFloat(f)
	case reflect.Int:
		if !d.scalar(n, path) {
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, 64)
		if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
			d.fail(n, path, "%q is not a whole number", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Uint64:
		if !d.scalar(n, path) {
			return
		}
		u, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 10, 64)
		if err != nil {
			d.fail(n, path, "%q is not a whole number from 0", n.Value)
			return
		}
		v.SetUint(u)
	default:
		d.fail(n, path, "internal error: no YAML decoding for %s", v.Type())
	}
}

// structure fills a struct from a mapping by the fields' yaml tags; a key
// no field has is an error that lists the known ones.
func (d *decoder) structure(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping of fields, got %s", describe(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var known []string
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("yaml")
		fields[name] = i
		known = append(known, name)
	}
	slices.Sort(known)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		kpath := join(path, k.Value)
		fi, ok := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.fail(k, path, "want a field name as key, got %s", describe(k))
		case !ok:
			d.fail(k, kpath, "unknown field; the fields here are %s", strings.Join(known, ", "))
		case seen[k.Value]:
			d.fail(k, kpath, "given twice")
		default:
			seen[k.Value] = true
			d.decode(val, kpath, v.Field(fi))
		}
	}
}

func (d *decoder) scalar(n *yaml.Node, path string) bool {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want a single value, got %s", describe(n))
		return false
	}
	return true
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
