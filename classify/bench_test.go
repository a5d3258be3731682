package classify_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

// benchNamed are posts that name a service, in several languages and of
// several kinds: complaints, recoveries, negatives and chatter.
func benchNamed() []string {
	return []string{
		"is whatsapp down for anyone else? stuck on one grey tick since 9",
		"instagram non funziona da stamattina, a voi va?",
		"c'est moi ou insta beug ? les stories chargent plus",
		"الواتس واقف عندكم؟ الرسايل ما توصل",
		"bhai insta chal nahi raha kya?",
		"GENTE O ZAPZAP CAIU KKKKKK",
		"¿se cayó whatsapp? no me llegan los mensajes",
		"WhatsApp geht bei euch auch nicht? #whatsappdown",
		"instagram çöktü mü yoksa bende mi sorun var",
		"व्हाट्सएप डाउन है क्या?",
		"youtube is back up, finally",
		"send me the pics on whatsapp later pls",
		"my phone died so I missed your whatsapp messages",
		"the facebook outage back in 2021 was the most peaceful day of my life",
		"follow me on insta for more cat pics, link in bio",
		"ok so whatsapp has been stuck on one grey tick for every single message since about 8:40. wifi is fine, insta loads fine, I restarted the router, restarted the phone, cleared the cache, and now the group chat thinks I'm ignoring them. is it down for anyone else?",
	}
}

// benchChatter are posts that name no service: the bulk of a firehose.
func benchChatter() []string {
	return []string{
		"good morning to everyone except the guy blasting music on the train",
		"che caldo oggi, non si respira",
		"il fait tellement chaud, je fonds",
		"صباح الخير للكل",
		"आज बहुत गर्मी है, पिघल रहा हूं",
		"que calor, tô derretendo",
		"domingo de lluvia, manta y peli",
		"endlich freitag 🍻",
		"nihayet cuma, hafta sonu planı olan var mı?",
		"the elevator in my building is down again, 6 flights of stairs it is",
		"just finished the new season and I need to talk to someone about that ending",
		"coffee first, emails later",
	}
}

// benchmarkPosts classifies the posts with the default classifier, learned
// stage included, as seismo runs it.
func benchmarkPosts(b *testing.B, posts []seismo.Post) {
	benchmarkWith(b, learnedClassifier(b), posts)
}

func benchmarkWith(b *testing.B, c *classify.Classifier, posts []seismo.Post) {
	var bytes int64
	for _, p := range posts {
		bytes += int64(len(p.Text))
	}
	b.SetBytes(bytes / int64(len(posts)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		c.Classify(&posts[i%len(posts)])
		i++
	}
}

// BenchmarkClassifyNamed: every post names a service, so every post pays
// for language identification and the lexicons.
func BenchmarkClassifyNamed(b *testing.B) {
	var posts []seismo.Post
	for i, s := range benchNamed() {
		posts = append(posts, seismo.Post{ID: fmt.Sprint(i), Text: s})
	}
	benchmarkPosts(b, posts)
}

// BenchmarkClassifyFirehose: 2% of posts name a service, as in a
// firehose; the rest must take the fast path.
func BenchmarkClassifyFirehose(b *testing.B) {
	named, chatter := benchNamed(), benchChatter()
	var posts []seismo.Post
	for i := range 50 * len(named) {
		text := chatter[i%len(chatter)]
		if i%50 == 0 {
			text = named[(i/50)%len(named)]
		}
		posts = append(posts, seismo.Post{ID: fmt.Sprint(i), Text: text})
	}
	benchmarkPosts(b, posts)
}

// BenchmarkClassifyChatter: no post names a service.
func BenchmarkClassifyChatter(b *testing.B) {
	var posts []seismo.Post
	for i, s := range benchChatter() {
		posts = append(posts, seismo.Post{ID: fmt.Sprint(i), Text: s})
	}
	benchmarkPosts(b, posts)
}

// BenchmarkClassifyWorstCase: texts at the size limit built to stress the
// pairwise steps (many services, many cues, many quotes). Work per post is
// bounded, so this stays within a small multiple of a normal post.
func BenchmarkClassifyWorstCase(b *testing.B) {
	var posts []seismo.Post
	for i, s := range []string{
		strings.Repeat("whatsapp down ", 700),
		strings.Repeat("whatsapp no ", 800),
		strings.Repeat("wa x ", 2000),
		strings.Repeat(`"`, 10000),
		strings.Repeat("الواتس واقف ", 500),
		strings.Repeat("whatsapp non va perché ", 430),
		strings.Repeat("#whatsappdown ", 700),
	} {
		posts = append(posts, seismo.Post{ID: fmt.Sprint(i), Text: s})
	}
	benchmarkPosts(b, posts)
}
