package classify

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/seismo-dev/seismo"
)

// TrainOptions are the learning settings of the learned stage. The zero
// value means the settings the embedded model was trained with.
type TrainOptions struct {
	// Epochs over the training posts.
	Epochs int
	// Rate is AdaGrad's base learning rate.
	Rate float64
	// L2 is the weight decay per update of the lexicon features (cues,
	// verdict); TextL2 that of the words and character n-grams, higher so
	// that the text moves the lexicon's verdict only on evidence seen
	// often.
	L2, TextL2 float64
	// Seed orders the posts of each epoch.
	Seed uint64
}

// DefaultTrainOptions are the settings the embedded model was trained with,
// chosen on the corpus's tune split.
var DefaultTrainOptions = TrainOptions{Epochs: 12, Rate: 0.2, L2: 1e-5, TextL2: 1e-4, Seed: 1}

// TrainReport says what training saw.
type TrainReport struct {
	// Examples are the posts the learned stage sees (those naming a
	// service); the rest never reach it.
	Examples, Calibration int
	// Features is the number of distinct feature buckets the training
	// posts touch.
	Features int
	// Log loss of the calibration posts before and after calibration,
	// complaint head.
	LossRaw, LossCalibrated float64
	// Calibration error (expected, over ten bins) of the complaint head
	// on the calibration posts, before and after.
	ECERaw, ECECalibrated float64
}

func (r TrainReport) Write(w io.Writer) {
	fmt.Fprintf(w, "trained on %d posts naming a service (%d feature buckets), calibrated on %d\n",
		r.Examples, r.Features, r.Calibration)
	fmt.Fprintf(w, "complaint head on the calibration posts: log loss %.3f -> %.3f, calibration error %.3f -> %.3f\n",
		r.LossRaw, r.LossCalibrated, r.ECERaw, r.ECECalibrated)
}

// example is one post as the learned stage sees it.
type example struct {
	feats               []uint32
	text                int // leading feats from the text
	complaint, recovery bool
	problem             int // index in problemOrder, -1 when none
}

// Train fits the learned stage on the labelled posts of train and
// calibrates its probabilities on those of calib (posts it was not fitted
// on), and returns the model file for Config.Model. Training is
// deterministic: the same posts and options give the same file.
func Train(cfg Config, train, calib []Labelled, opt TrainOptions) ([]byte, TrainReport, error) {
	if opt == (TrainOptions{}) {
		opt = DefaultTrainOptions
	}
	var rep TrainReport
	// The same posts in any order give the same model.
	train, calib = slices.SortedFunc(slices.Values(train), compareLabelled), slices.SortedFunc(slices.Values(calib), compareLabelled)
	cfg.RulesOnly = true
	c, err := New(cfg)
	if err != nil {
		return nil, rep, err
	}
	c.learned = true // see the posts the learned stage will see
	exs := c.examples(train)
	cal := c.examples(calib)
	rep.Examples, rep.Calibration = len(exs), len(cal)
	if len(exs) == 0 {
		return nil, rep, errors.New("classify: no training post names a service")
	}
	if len(cal) == 0 {
		return nil, rep, errors.New("classify: no calibration post names a service")
	}
	m := newModel()
	fit(m, exs, opt)
	for i := 0; i < len(m.bin); i += 2 {
		if m.bin[i] != 0 || m.bin[i+1] != 0 {
			rep.Features++
		}
	}
	// Calibrate on posts the weights never saw: weights fitted to their
	// own training posts are over-confident there.
	for head := range m.cal {
		zs := make([]float64, len(cal))
		ys := make([]bool, len(cal))
		for i, e := range cal {
			zc, zr := m.scores(e.feats)
			zs[i], ys[i] = zc, e.complaint
			if head == headRecovery {
				zs[i], ys[i] = zr, e.recovery
			}
		}
		if head == headComplaint {
			rep.LossRaw, rep.ECERaw = calibrationLoss(zs, ys, 1, 0)
		}
		m.cal[head] = platt(zs, ys)
		if head == headComplaint {
			rep.LossCalibrated, rep.ECECalibrated = calibrationLoss(zs, ys, m.cal[head][0], m.cal[head][1])
		}
	}
	if err := m.check(); err != nil {
		return nil, rep, fmt.Errorf("classify: training diverged: %w", err)
	}
	data, err := m.marshal()
	return data, rep, err
}

// compareLabelled orders labelled posts by everything they hold, so that
// posts sharing an id still sort the same way whatever their input order.
func compareLabelled(x, y Labelled) int {
	return cmp.Or(strings.Compare(x.ID, y.ID), strings.Compare(x.Text, y.Text), strings.Compare(x.Lang, y.Lang),
		strings.Compare(x.Script, y.Script), cmpBool(x.Complaint, y.Complaint), cmpBool(x.Recovery, y.Recovery),
		strings.Compare(strings.Join(x.Services, ","), strings.Join(y.Services, ",")),
		strings.Compare(problemName(x.Problem), problemName(y.Problem)))
}

func cmpBool(x, y bool) int { return cmp.Compare(b2f(x), b2f(y)) }

func problemName(p *seismo.Problem) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// examples analyses labelled posts as the learned stage would see them.
func (c *Classifier) examples(set []Labelled) []example {
	var out []example
	for _, l := range set {
		a := c.pool.Get().(*analysis)
		a.reset()
		p := seismo.Post{ID: l.ID, Text: l.Text}
		feats, ok := c.analyseForModel(a, &p)
		if ok {
			e := example{feats: append([]uint32(nil), feats...), text: a.nText, complaint: l.Complaint, recovery: l.Recovery, problem: -1}
			if l.Problem != nil {
				for k, p := range problemOrder {
					if p == *l.Problem {
						e.problem = k
					}
				}
			}
			out = append(out, e)
		}
		c.pool.Put(a)
	}
	return out
}

// analyseForModel runs the lexicon stage on a post and returns the
// features the learned stage would weigh, or false when the post does not
// reach the learned stage.
func (c *Classifier) analyseForModel(a *analysis, p *seismo.Post) ([]uint32, bool) {
	var sig seismo.Signal
	lang, v, ok := c.analyse(a, p, &sig)
	if !ok {
		return nil, false
	}
	a.feats = c.features(a, &v, lang, a.feats[:0])
	return a.feats, true
}

// fit trains the three heads by AdaGrad on the logistic (complaint,
// recovery) and softmax (problem, complaints only) losses.
func fit(m *model, exs []example, opt TrainOptions) {
	gBin := make([]float32, len(m.bin))
	gProb := make([]float32, len(m.prob))
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5e15))
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	const eps = 1e-8
	step := func(w, g []float32, i int, grad, l2 float64) {
		grad += l2 * float64(w[i])
		g[i] += float32(grad * grad)
		w[i] -= float32(opt.Rate * grad / math.Sqrt(float64(g[i])+eps))
	}
	var ps [numProblems]float64
	for range opt.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			e := &exs[i]
			s := featureScale(len(e.feats))
			zc, zr := m.scores(e.feats)
			dc := sigmoid(zc) - b2f(e.complaint)
			dr := sigmoid(zr) - b2f(e.recovery)
			for k, f := range e.feats {
				l2 := opt.L2
				if k < e.text {
					l2 = opt.TextL2
				}
				b := 2 * int(f&(1<<modelBits-1))
				step(m.bin, gBin, b, dc*s, l2)
				step(m.bin, gBin, b+1, dr*s, l2)
			}
			if !e.complaint || e.problem < 0 {
				continue
			}
			m.problemScores(e.feats, &ps)
			softmax(ps[:])
			ps[e.problem]--
			for k, f := range e.feats {
				l2 := opt.L2
				if k < e.text {
					l2 = opt.TextL2
				}
				row := numProblems * int(f&(1<<problemBits-1))
				for j := range ps {
					step(m.prob, gProb, row+j, ps[j]*s, l2)
				}
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func softmax(z []float64) {
	hi := math.Inf(-1)
	for _, x := range z {
		hi = max(hi, x)
	}
	sum := 0.0
	for i, x := range z {
		z[i] = math.Exp(x - hi)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// platt fits σ(a·z + b) to the labels by Newton's method on the log loss,
// with Platt's smoothed targets so that a separable set does not send the
// slope to infinity, and a step halved until the loss falls (Lin, Lin and
// Weng's fix to Platt's method): saturated scores make the curvature tiny
// and a full step wild. It starts from the prior odds, and from there every
// step lowers the loss, so the fit is never worse than no slope at all.
func platt(zs []float64, ys []bool) [2]float64 {
	var pos, neg float64
	for _, y := range ys {
		if y {
			pos++
		} else {
			neg++
		}
	}
	hiT, loT := (pos+1)/(pos+2), 1/(neg+2)
	target := func(i int) float64 {
		if ys[i] {
			return hiT
		}
		return loT
	}
	loss := func(a, b float64) float64 {
		var l float64
		for i, z := range zs {
			// log(1+e^f) - t·f with f = a·z+b, computed stably.
			f := a*z + b
			t := target(i)
			if f >= 0 {
				l += f*(1-t) + math.Log1p(math.Exp(-f))
			} else {
				l += -f*t + math.Log1p(math.Exp(f))
			}
		}
		return l
	}
	a, b := 0.0, math.Log((pos+1)/(neg+1))
	cur := loss(a, b)
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for i, z := range zs {
			p := sigmoid(a*z + b)
			d := p - target(i)
			w := max(p*(1-p), 1e-12)
			ga += d * z
			gb += d
			haa += w * z * z
			hab += w * z
			hbb += w
		}
		haa += 1e-12
		hbb += 1e-12
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		step := 1.0
		for ; step > 1e-10; step /= 2 {
			if l := loss(a-step*da, b-step*db); l < cur {
				a, b, cur = a-step*da, b-step*db, l
				break
			}
		}
		if step <= 1e-10 || math.Abs(step*da) < 1e-10 && math.Abs(step*db) < 1e-10 {
			break
		}
	}
	return [2]float64{a, b}
}

// calibrationLoss returns the mean log loss and the expected calibration
// error over ten equal-width bins of σ(a·z + b).
func calibrationLoss(zs []float64, ys []bool, a, b float64) (loss, ece float64) {
	var n, hits [10]float64
	var conf [10]float64
	for i, z := range zs {
		p := min(max(sigmoid(a*z+b), 1e-9), 1-1e-9)
		y := b2f(ys[i])
		loss -= y*math.Log(p) + (1-y)*math.Log(1-p)
		bin := min(int(p*10), 9)
		n[bin]++
		hits[bin] += y
		conf[bin] += p
	}
	for k := range n {
		if n[k] > 0 {
			ece += math.Abs(hits[k]-conf[k]) / float64(len(zs))
		}
	}
	return loss / float64(len(zs)), ece
}
