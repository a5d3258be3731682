package simulate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

func TestWhatsApp2024(t *testing.T) {
	s := simulate.WhatsApp2024()
	var (
		n, prevNano     int64
		ids             = map[string]bool{}
		outageAuthors   = map[string]map[string]bool{} // country -> authors of whatsapp complaints in the outage
		spam            int
		countries       = map[string]int{}
		outageStart     = time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)
		outageEnd       = outageStart.Add(2 * time.Hour)
		whatsappMention = 0
	)
	err := s.Generate(func(p seismo.Post) error {
		n++
		if p.CreatedAt.UnixNano() < prevNano {
			t.Fatalf("post %s out of event-time order", p.ID)
		}
		prevNano = p.CreatedAt.UnixNano()
		if ids[p.ID] {
			t.Fatalf("duplicate id %s", p.ID)
		}
		ids[p.ID] = true
		if err := p.Validate(); err != nil {
			t.Fatalf("invalid post %+v: %v", p, err)
		}
		if strings.Contains(p.Text, "{svc}") {
			t.Fatalf("unfilled template in %q", p.Text)
		}
		countries[p.Country]++
		if strings.HasPrefix(p.Author, "spam-") {
			spam++
		}
		if !p.CreatedAt.Before(outageStart) && p.CreatedAt.Before(outageEnd) &&
			strings.Contains(strings.ToLower(p.Text), "whatsapp") {
			whatsappMention++
			if outageAuthors[p.Country] == nil {
				outageAuthors[p.Country] = map[string]bool{}
			}
			outageAuthors[p.Country][p.Author] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20_000 || n > 400_000 {
		t.Errorf("%d posts; the demo needs enough traffic to be real and little enough to be quick", n)
	}
	if spam != 150 && (spam < 110 || spam > 190) {
		t.Errorf("spam posts = %d, want about 150", spam)
	}
	// The UK, which reported most, must show more distinct WhatsApp posters
	// in the outage than the US, which reported least of the four.
	if len(outageAuthors["GB"]) <= len(outageAuthors["US"]) || len(outageAuthors["US"]) < 50 {
		t.Errorf("outage posters GB %d, US %d", len(outageAuthors["GB"]), len(outageAuthors["US"]))
	}
	if countries[""] == 0 || countries["IT"] == 0 || countries["EG"] == 0 {
		t.Errorf("country mix = %v", countries)
	}
	t.Logf("%d posts, %d spam, outage posters by country with 'whatsapp' spelled out: GB %d BR %d IN %d US %d",
		n, spam, len(outageAuthors["GB"]), len(outageAuthors["BR"]), len(outageAuthors["IN"]), len(outageAuthors["US"]))
}

func TestGenerateIsDeterministic(t *testing.T) {
	first := func() []string {
		var out []string
		s := simulate.WhatsApp2024()
		s.End = s.Start.Add(3 * time.Hour)
		_ = s.Generate(func(p seismo.Post) error {
			out = append(out, p.ID+p.Text+p.Author+p.CreatedAt.String())
			return nil
		})
		return out
	}
	a, b := first(), first()
	if len(a) == 0 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("two runs differ (%d vs %d posts)", len(a), len(b))
	}
}
