package classify_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
)

// verdictCase is one post and the verdict expected for it. Posts are given
// without a language hint unless hint is set, so language identification
// is part of what is tested.
type verdictCase struct {
	name      string
	text      string
	hint      string
	complaint bool
	recovery  bool
	services  []string // compared as a set
	problem   seismo.Problem
}

func runVerdicts(t *testing.T, cases []verdictCase) {
	t.Helper()
	c := testClassifier(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "p1", Text: tc.text, Lang: tc.hint, Country: "IT"})
			if sig.Complaint != tc.complaint || sig.Recovery != tc.recovery ||
				!sameSet(sig.Services, tc.services) || sig.Problem != tc.problem {
				t.Errorf("%q\n got  complaint=%v recovery=%v services=%v problem=%q lang=%s\n want complaint=%v recovery=%v services=%v problem=%q\n cues %s",
					tc.text, sig.Complaint, sig.Recovery, sig.Services, sig.Problem, sig.Lang,
					tc.complaint, tc.recovery, tc.services, tc.problem, cueString(sig.Cues))
			}
			checkInvariants(t, &seismo.Post{ID: "p1", Country: "IT"}, sig)
		})
	}
}

func cueString(cues []seismo.Cue) string {
	var b strings.Builder
	for i, c := range cues {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(c.Kind + ":" + c.Match + "=" + c.Value)
	}
	return b.String()
}

// checkInvariants asserts what must hold for every signal.
func checkInvariants(t *testing.T, p *seismo.Post, sig seismo.Signal) {
	t.Helper()
	if sig.PostID != p.ID || sig.Country != p.Country {
		t.Errorf("id/country not copied: %q %q", sig.PostID, sig.Country)
	}
	if sig.Complaint && sig.Recovery {
		t.Errorf("both complaint and recovery")
	}
	if (sig.Problem != "") != sig.Complaint {
		t.Errorf("problem %q with complaint=%v", sig.Problem, sig.Complaint)
	}
	if (sig.Complaint || sig.Recovery) && len(sig.Services) == 0 {
		t.Errorf("complaint or recovery without services")
	}
	if sig.Services == nil || sig.Cues == nil {
		t.Errorf("nil services or cues: %#v %#v", sig.Services, sig.Cues)
	}
	if sig.Confidence < 0 || sig.Confidence > 1 {
		t.Errorf("confidence %v out of range", sig.Confidence)
	}
	seen := map[string]bool{}
	for _, s := range sig.Services {
		if seen[s] {
			t.Errorf("service %q listed twice", s)
		}
		seen[s] = true
	}
}

func TestClassifyEnglish(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "outage question", text: "Is Discord down right now? Can't get into any server", complaint: true, services: svc("discord"), problem: "total_outage"},
		{name: "not working", text: "spotify isn't working at all for me, anyone else?", complaint: true, services: svc("spotify"), problem: "total_outage"},
		{name: "grey tick", text: "my whatsapp messages are stuck on one grey tick since this morning", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "connecting", text: "Telegram has been stuck on connecting for like 15 minutes", complaint: true, services: svc("telegram"), problem: "connection"},
		{name: "login", text: "gmail keeps logging me out and won't let me sign back in", complaint: true, services: svc("gmail"), problem: "login"},
		{name: "crash", text: "Snapchat keeps crashing every time I open the camera", complaint: true, services: svc("snapchat"), problem: "app_crash"},
		{name: "server error", text: "netflix just says 'Something went wrong' on every title", complaint: true, services: svc("netflix"), problem: "server_error"},
		{name: "calls", text: "whatsapp video calls keep dropping after a few seconds", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "media", text: "instagram reels won't play, just a black screen", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "feed", text: "X timeline won't refresh, stuck on tweets from this morning", complaint: true, services: svc("x"), problem: "feed"},
		{name: "notifications", text: "not getting any notifications from discord since the update, messages only show when I open it", complaint: true, services: svc("discord"), problem: "notifications"},
		{name: "payments", text: "can't pay for youtube premium, card keeps getting declined", complaint: true, services: svc("youtube"), problem: "payments"},
		{name: "ambiguous alias with cue", text: "is outlook down??", complaint: true, services: svc("outlook"), problem: "total_outage"},
		{name: "hashtag", text: "#instagramdown what is happening", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "two services", text: "instagram and facebook both down for me", complaint: true, services: svc("instagram", "facebook"), problem: "total_outage"},
		{name: "refuge service is not broken", text: "everyone's on twitter cause instagram is down lol", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "elongation and caps", text: "WHATSAPP IS DOWNNNN AGAIN", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "typo alias", text: "instagarm not loading at all", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "recovery back up", text: "youtube is back up, finally", recovery: true, services: svc("youtube")},
		{name: "recovery works again", text: "spotify works again 🙌", recovery: true, services: svc("spotify")},
		{name: "mixed recovery and outage", text: "whatsapp is back but instagram is still down", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "idiom down for", text: "I'm so down for a netflix marathon tonight", services: svc("netflix")},
		{name: "idiom stock", text: "snap stock is down 20% after earnings", services: svc()},
		{name: "own phone", text: "my phone died so I couldn't answer on whatsapp", services: svc("whatsapp")},
		{name: "own wifi", text: "the airport wifi is terrible, youtube won't even load", services: svc("youtube")},
		{name: "past year", text: "remember when facebook went down for 6 hours in 2021?", services: svc("facebook")},
		{name: "news", text: "Yesterday's Instagram outage affected millions of users, Meta said", services: svc("instagram")},
		{name: "negation", text: "whatsapp isn't down, your wifi is just bad", services: svc("whatsapp")},
		{name: "hypothetical", text: "if tiktok ever goes down I'll finally get some sleep", services: svc("tiktok")},
		{name: "wish", text: "honestly wish instagram would go down for a week", services: svc("instagram")},
		{name: "not a service", text: "the bank app is down again, can't pay rent", services: svc()},
		{name: "sarcasm", text: `"is twitter down?" no, nobody likes your tweets`, services: svc("x")},
		{name: "plain mention", text: "just posted a new video on youtube, go watch it", services: svc("youtube")},
		{name: "ambiguous alias without context", text: "my signal is weak in this building", services: svc()},
		{name: "url and mention dropped", text: "check https://twitter.com/status/1 @WhatsApp", services: svc()},
	})
}

func TestClassifyItalian(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "non funziona", text: "Instagram non funziona da stamattina, a voi va?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "spunta", text: "whatsapp non manda i messaggi, restano con una spunta", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "connessione", text: "telegram bloccato su connessione in corso da mezz'ora", complaint: true, services: svc("telegram"), problem: "connection"},
		{name: "accesso", text: "gmail non mi fa accedere, dice password errata ma è giusta", complaint: true, services: svc("gmail"), problem: "login"},
		{name: "si chiude", text: "tiktok si chiude da solo appena lo apro", complaint: true, services: svc("tiktok"), problem: "app_crash"},
		{name: "errore", text: "youtube mi dà 'si è verificato un errore' su tutti i video", complaint: true, services: svc("youtube"), problem: "server_error"},
		{name: "chiamate", text: "le videochiamate su whatsapp cadono di continuo", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "storie", text: "le storie di instagram non si caricano", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "feed", text: "il feed di facebook non si aggiorna da ore", complaint: true, services: svc("facebook"), problem: "feed"},
		{name: "notifiche", text: "non mi arrivano le notifiche di instagram da ieri sera", complaint: true, services: svc("instagram"), problem: "notifications"},
		{name: "pagamento", text: "spotify non mi fa pagare l'abbonamento, errore con la carta", complaint: true, services: svc("spotify"), problem: "payments"},
		{name: "solo a me", text: "netflix è giù solo a me?", complaint: true, services: svc("netflix"), problem: "total_outage"},
		{name: "hashtag", text: "#whatsappdown ma che succede", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "tornato", text: "finalmente instagram è tornato", recovery: true, services: svc("instagram")},
		{name: "ripreso", text: "whatsapp ha ripreso a funzionare", recovery: true, services: svc("whatsapp")},
		{name: "idiom giù", text: "oggi sono proprio giù, niente instagram per un po'", services: svc("instagram")},
		{name: "own phone", text: "mi si è scaricato il telefono, vi rispondo dopo su whatsapp", services: svc("whatsapp")},
		{name: "past", text: "vi ricordate quando facebook è andato giù nel 2021?", services: svc("facebook")},
		{name: "negation", text: "instagram non è giù, è la tua connessione", services: svc("instagram")},
		{name: "wish", text: "magari si bloccasse tiktok così studio", services: svc("tiktok")},
		{name: "news", text: "ieri sera instagram è stato down per due ore", services: svc("instagram")},
		{name: "plain", text: "ci sentiamo su whatsapp stasera", services: svc("whatsapp")},
	})
}

func TestClassifyFrench(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "en panne question", text: "Instagram est en panne ou c'est juste moi ?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "coche", text: "mes messages whatsapp restent bloqués avec une seule coche", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "connexion", text: "discord bloqué sur l'écran de connexion depuis 20 min", complaint: true, services: svc("discord"), problem: "connection"},
		{name: "login", text: "impossible de me connecter à gmail, il me dit mot de passe incorrect", complaint: true, services: svc("gmail"), problem: "login"},
		{name: "se ferme", text: "tiktok se ferme tout seul dès que je l'ouvre", complaint: true, services: svc("tiktok"), problem: "app_crash"},
		{name: "erreur", text: "netflix affiche « une erreur s'est produite » sur tous les films", complaint: true, services: svc("netflix"), problem: "server_error"},
		{name: "appels", text: "les appels whatsapp coupent au bout de 10 secondes", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "stories", text: "les stories insta chargent plus", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "fil", text: "mon fil facebook s'actualise plus depuis ce matin", complaint: true, services: svc("facebook"), problem: "feed"},
		{name: "notifs", text: "je reçois plus les notifications de messenger", complaint: true, services: svc("messenger"), problem: "notifications"},
		{name: "paiement", text: "paiement refusé sur spotify alors que ma carte marche partout", complaint: true, services: svc("spotify"), problem: "payments"},
		{name: "quebec", text: "snapchat marche pu, c'tu juste moi?", complaint: true, services: svc("snapchat"), problem: "total_outage"},
		{name: "remarche", text: "c'est bon insta remarche", recovery: true, services: svc("instagram")},
		{name: "refonctionne", text: "whatsapp refonctionne enfin", recovery: true, services: svc("whatsapp")},
		{name: "panne de réveil", text: "panne de réveil ce matin, désolé pour le retard sur le groupe whatsapp", services: svc("whatsapp")},
		{name: "down pour", text: "je suis down pour un film ce soir, on s'appelle sur messenger?", services: svc("messenger")},
		{name: "batterie", text: "plus de batterie, je réponds sur whatsapp plus tard", services: svc("whatsapp")},
		{name: "past", text: "la grosse panne de facebook en 2021, quel souvenir", services: svc("facebook")},
		{name: "negation", text: "whatsapp est pas en panne, c'est ton wifi", services: svc("whatsapp")},
		{name: "hypothetical", text: "si youtube tombait en panne je saurais plus quoi faire", services: svc("youtube")},
		{name: "news", text: "Hier soir, Instagram a connu une panne mondiale", services: svc("instagram")},
		{name: "plain", text: "abonnez-vous à ma chaîne youtube", services: svc("youtube")},
	})
}

func TestClassifyArabic(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "msa question", text: "هل الانستغرام متوقف عند أحد غيري؟", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "gulf", text: "الانستا واقف عند حد غيري؟", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "one tick", text: "الواتساب ما يرسل الرسايل، كلها على صح واحد", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "connecting", text: "تيليجرام معلق على جاري الاتصال", complaint: true, services: svc("telegram"), problem: "connection"},
		{name: "login", text: "الفيس طلعني من حسابي وما يخليني ادخل", complaint: true, services: svc("facebook"), problem: "login"},
		{name: "crash", text: "التيك توك يقفل لحاله كل ما افتحه", complaint: true, services: svc("tiktok"), problem: "app_crash"},
		{name: "server error", text: "يوتيوب يطلعلي حدث خطأ في كل فيديو", complaint: true, services: svc("youtube"), problem: "server_error"},
		{name: "calls", text: "مكالمات الواتس بتقطع كل شوي", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "media", text: "الستوريات ما تحمل في الانستا", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "hashtag", text: "#الواتساب_واقف", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "egyptian", text: "الواتس مش شغال خالص", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "gulf broken", text: "السناب خربان اليوم؟", complaint: true, services: svc("snapchat"), problem: "total_outage"},
		{name: "levantine", text: "الانستا ما عم يفتح معي", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "maghrebi", text: "الفيسبوك ما خدامش عندي", complaint: true, services: svc("facebook"), problem: "total_outage"},
		{name: "arabizi", text: "el insta wa2ef 3andkom?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "arabizi not working", text: "whatsapp msh sha3'al khales", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "harakat and tatweel", text: "الواتـــساب مُعَطَّل", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "recovery", text: "الحمدلله الواتس رجع يشتغل", recovery: true, services: svc("whatsapp")},
		{name: "arabizi recovery", text: "el face rege3", recovery: true, services: svc("facebook")},
		{name: "idiom mood", text: "نفسيتي واقعه ومش طايقه حد، بقفل الانستا", services: svc("instagram")},
		{name: "own internet", text: "النت عندي فاصل من الصبح، مش قادر افتح يوتيوب", services: svc("youtube")},
		{name: "past", text: "فاكرين لما الواتس وقع سنة ٢٠٢١؟", services: svc("whatsapp")},
		{name: "negation", text: "الواتس مش واقع، النت عندك", services: svc("whatsapp")},
		{name: "wish", text: "ياريت التيك توك يوقف يوم واحد", services: svc("tiktok")},
		{name: "news", text: "امس توقف فيسبوك لساعات في عدة دول", services: svc("facebook")},
		{name: "plain", text: "تابعوني على تيك توك", services: svc("tiktok")},
	})
}

func TestClassifyOtherLanguages(t *testing.T) {
	runVerdicts(t, []verdictCase{
		// Hindi, Devanagari and Hinglish.
		{name: "hi down", text: "इंस्टाग्राम डाउन है क्या?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "hi messages", text: "व्हाट्सएप पर मैसेज नहीं जा रहे", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "hinglish media", text: "yt pe videos load nahi ho rahe yaar", complaint: true, services: svc("youtube"), problem: "media"},
		{name: "hinglish login", text: "gmail login nahi ho raha subah se", complaint: true, services: svc("gmail"), problem: "login"},
		{name: "hinglish", text: "bhai insta chal nahi raha kya?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "hi recovery", text: "whatsapp wapas aa gaya 🙏", recovery: true, services: svc("whatsapp")},
		{name: "hi battery", text: "phone ki battery khatam thi isliye whatsapp nahi dekha", services: svc("whatsapp")},
		{name: "hi blame", text: "insta down nahi hai, tera net slow hai", services: svc("instagram")},
		{name: "hi wish", text: "काश यूट्यूब एक दिन बंद हो जाए", services: svc("youtube")},
		// Portuguese.
		{name: "pt caiu", text: "o zap caiu?", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "pt fora do ar", text: "instagram fora do ar de novo", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "pt messages", text: "minhas mensagens do whats não enviam", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "pt crash", text: "spotify fecha sozinho quando abro", complaint: true, services: svc("spotify"), problem: "app_crash"},
		{name: "pt recovery", text: "o insta voltou", recovery: true, services: svc("instagram")},
		{name: "pt idiom", text: "caiu a ficha que amanhã tem prova, vou sair do insta", services: svc("instagram")},
		{name: "pt battery", text: "meu celular descarregou, te respondo no zap depois", services: svc()},
		{name: "pt hypothetical", text: "se o whatsapp cair amanhã eu nem ligo", services: svc("whatsapp")},
		// Spanish.
		{name: "es cayó", text: "¿se cayó instagram?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "es messages", text: "el whatsapp no me manda los mensajes", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "es recovery", text: "ya volvió instagram", recovery: true, services: svc("instagram")},
		{name: "es dropped phone", text: "se me cayó el celular y se rompió la pantalla, no puedo ver whatsapp", services: svc("whatsapp")},
		// German.
		{name: "de down", text: "ist whatsapp gerade down?", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "de crash", text: "instagram stürzt ständig ab", complaint: true, services: svc("instagram"), problem: "app_crash"},
		{name: "de geht nicht", text: "geht youtube bei euch auch nicht?", complaint: true, services: svc("youtube"), problem: "total_outage"},
		{name: "de recovery", text: "whatsapp läuft wieder", recovery: true, services: svc("whatsapp")},
		{name: "de battery", text: "mein akku ist leer, schreib dir später auf whatsapp", services: svc("whatsapp")},
		// Turkish.
		{name: "tr çöktü", text: "instagram çöktü mü?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "tr messages", text: "whatsapp mesajları gitmiyor", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "tr suffix alias", text: "instagramdan fotoğraflar yüklenmiyor", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "tr recovery", text: "instagram düzeldi", recovery: true, services: svc("instagram")},
		{name: "tr wish", text: "keşke instagram çökse de ders çalışsam", services: svc("instagram")},
	})
}

func TestClassifyFastPath(t *testing.T) {
	c := testClassifier(t)
	tests := []struct {
		name, text, hint, wantLang string
	}{
		{name: "no service latin", text: "what a lovely day at the beach", wantLang: ""},
		{name: "no service with hint", text: "che bella giornata", hint: "it", wantLang: "it"},
		{name: "no service hint region", text: "que dia lindo", hint: "pt-BR", wantLang: "pt"},
		{name: "no service arabic script", text: "صباح الخير للجميع", wantLang: "ar"},
		{name: "no service devanagari", text: "आज बहुत गर्मी है", wantLang: "hi"},
		{name: "outage words but no service", text: "the elevator is down again", wantLang: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "x", Text: tc.text, Lang: tc.hint})
			if sig.Complaint || sig.Recovery || len(sig.Services) != 0 || len(sig.Cues) != 0 {
				t.Errorf("want an empty verdict, got %+v", sig)
			}
			if sig.Lang != tc.wantLang {
				t.Errorf("lang = %q, want %q", sig.Lang, tc.wantLang)
			}
		})
	}
}

func TestClassifyLanguage(t *testing.T) {
	c := testClassifier(t)
	tests := []struct {
		name, text, hint, want string
	}{
		{name: "hint wins", text: "whatsapp down", hint: "it", want: "it"},
		{name: "unconfigured hint ignored", text: "whatsapp ist down, geht gar nichts", hint: "nl", want: "de"},
		{name: "arabic script", text: "الواتساب واقف", want: "ar"},
		{name: "devanagari", text: "व्हाट्सएप डाउन है", want: "hi"},
		{name: "arabizi", text: "el whatsapp wa2ef 3andkom?", want: "ar"},
		{name: "hinglish", text: "whatsapp chal nahi raha kya bhai", want: "hi"},
		{name: "italian", text: "instagram non funziona, qualcuno ha lo stesso problema?", want: "it"},
		{name: "french", text: "instagram ne marche plus chez moi, vous aussi ?", want: "fr"},
		{name: "spanish", text: "se cayó instagram otra vez, no me carga nada", want: "es"},
		{name: "portuguese", text: "o instagram caiu de novo, não carrega nada aqui", want: "pt"},
		{name: "german", text: "Instagram funktioniert bei mir gerade nicht, bei euch auch?", want: "de"},
		{name: "turkish", text: "instagram çöktü mü, sadece bende mi?", want: "tr"},
		{name: "english", text: "instagram is not loading for me, anyone else?", want: "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "x", Text: tc.text, Lang: tc.hint})
			if sig.Lang != tc.want {
				t.Errorf("lang = %q, want %q (cues %s)", sig.Lang, tc.want, cueString(sig.Cues))
			}
		})
	}
}

func TestClassifyCuesExplain(t *testing.T) {
	c := testClassifier(t)
	sig := c.Classify(&seismo.Post{ID: "e1", Text: "WhatsApp is down again?? stuck on one grey tick", Country: "GB"})
	if !sig.Complaint || sig.Problem != seismo.ProblemMessages {
		t.Fatalf("want a messages complaint, got %+v", sig)
	}
	want := []seismo.Cue{
		{Kind: "service", Match: "whatsapp", Value: "whatsapp"},
		{Kind: "symptom", Match: "one grey tick", Value: "messages"},
		{Kind: "problem", Match: "one grey tick", Value: "messages"},
	}
	for _, w := range want {
		if !slices.Contains(sig.Cues, w) {
			t.Errorf("cue %+v missing from %s", w, cueString(sig.Cues))
		}
	}
	b, err := json.Marshal(c.Classify(&seismo.Post{ID: "e2", Text: "nothing to see"}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"cues":[]`) || !strings.Contains(string(b), `"services":[]`) {
		t.Errorf("empty lists must encode as []: %s", b)
	}
}

func TestClassifyNilPost(t *testing.T) {
	sig := testClassifier(t).Classify(nil)
	if sig.Complaint || sig.Cues == nil || sig.Services == nil {
		t.Errorf("nil post: %+v", sig)
	}
}

// TestClassifyVariety holds a second round of posts in everyday phrasing,
// with the negative families in every language.
func TestClassifyVariety(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "en login password", text: "ugh instagram just logged me out for no reason and now it says my password is wrong", complaint: true, services: svc("instagram"), problem: "login"},
		{name: "en buffering", text: "anyone else's youtube stuck buffering forever?", complaint: true, services: svc("youtube"), problem: "media"},
		{name: "en emails sync", text: "Outlook won't sync my emails this morning #outlookdown", complaint: true, services: svc("outlook"), problem: "messages"},
		{name: "en voice chat", text: "Discord voice chat is completely broken rn", complaint: true, services: svc("discord"), problem: "calls"},
		{name: "en capacity", text: "chatgpt is at capacity again, can't get anything done", complaint: true, services: svc("chatgpt"), problem: "server_error"},
		{name: "en upload stories", text: "can't upload stories on insta, keeps failing", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "en messenger", text: "Is facebook messenger down? messages won't send", complaint: true, services: svc("messenger"), problem: "messages"},
		{name: "en icloud sync", text: "icloud photos stopped syncing between my devices", complaint: true, services: svc("icloud"), problem: "media"},
		{name: "en log into", text: "can't log into snapchat, says 'oops something went wrong'", complaint: true, services: svc("snapchat"), problem: "login"},
		{name: "en web chats", text: "whatsapp web isn't loading chats, phone is connected fine", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "en dead laughing", text: "I'm dead 💀 this tiktok is hilarious", services: svc("tiktok")},
		{name: "en office wifi", text: "our office wifi is down so I'm on my phone scrolling insta", services: svc("instagram")},
		{name: "en last night", text: "Netflix outage last night ruined movie night", services: svc("netflix")},
		{name: "en conditional", text: "if whatsapp is down again tomorrow I'm switching to telegram", services: svc("whatsapp", "telegram")},
		{name: "en banned", text: "telegram is not down, you got banned lol", services: svc("telegram")},
		{name: "en power cut", text: "Power cut in the whole street, can't even check twitter", services: svc("x")},
		{name: "en price", text: "spotify premium price went up again", services: svc("spotify")},

		{name: "it web", text: "whatsapp web non si connette, il telefono ha internet", complaint: true, services: svc("whatsapp"), problem: "connection"},
		{name: "it scatti", text: "youtube va a scatti da stamattina", complaint: true, services: svc("youtube"), problem: "media"},
		{name: "it problemi", text: "qualcuno sa se discord ha problemi? non entro nel server", complaint: true, services: svc("discord"), problem: "total_outage"},
		{name: "it snap", text: "snapchat non invia gli snap, rimangono in invio", complaint: true, services: svc("snapchat"), problem: "messages"},
		{name: "it phone dead", text: "il mio telefono è morto, scrivetemi su instagram più tardi", services: svc("instagram")},
		{name: "it recovery", text: "instagram di nuovo su, tutto ok", recovery: true, services: svc("instagram")},

		{name: "fr vocal", text: "Discord marche pas chez vous ? impossible de rejoindre un vocal", complaint: true, services: svc("discord"), problem: "total_outage"},
		{name: "fr tweets", text: "Twitter bug de ouf, les tweets s'affichent plus", complaint: true, services: svc("x"), problem: "feed"},
		{name: "fr crash", text: "mon appli snap crash à chaque fois", complaint: true, services: svc("snapchat"), problem: "app_crash"},
		{name: "fr gmail", text: "gmail ne reçoit plus rien depuis midi", complaint: true, services: svc("gmail"), problem: "messages"},
		{name: "fr forfait", text: "j'ai plus de forfait, je peux pas aller sur insta", services: svc("instagram")},
		{name: "fr électricité", text: "Panne d'électricité chez moi, plus de wifi, plus d'insta", services: svc("instagram")},
		{name: "fr si jamais", text: "si jamais whatsapp plante pendant mon exam je suis mort", services: svc("whatsapp")},
		{name: "fr hier", text: "hier whatsapp était en panne pendant 2h", services: svc("whatsapp")},

		{name: "ar messages", text: "في مشكلة بالواتساب اليوم؟ الرسائل ما توصل", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "ar same problem", text: "يوتيوب ما يشتغل عندي، حد عنده نفس المشكلة؟", complaint: true, services: svc("youtube"), problem: "total_outage"},
		{name: "ar error", text: "السناب يطلع لي خطأ كل ما افتح الكاميرا", complaint: true, services: svc("snapchat"), problem: "server_error"},
		{name: "ar since yesterday", text: "النتفليكس بايظ من امبارح", complaint: true, services: svc("netflix"), problem: "total_outage"},
		{name: "ar arabizi", text: "el youtube mesh sha3'al 3andy", complaint: true, services: svc("youtube"), problem: "total_outage"},
		{name: "ar power", text: "عطل في الكهربا، مافي نت ولا واتس", services: svc("whatsapp")},
		{name: "ar law", text: "لو الانستا وقف بكرة ما رح ازعل", services: svc("instagram")},

		{name: "hi reels", text: "instagram pe reels load nahi ho rahi, kya dikkat hai?", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "hi khul", text: "facebook khul hi nahi raha aaj", complaint: true, services: svc("facebook"), problem: "total_outage"},
		{name: "hi web connect", text: "व्हाट्सएप वेब कनेक्ट नहीं हो रहा", complaint: true, services: svc("whatsapp"), problem: "connection"},
		{name: "hi jio", text: "jio ka network gayab hai, kuch nahi chal raha", services: svc()},
		{name: "hi phone", text: "mera phone kharab ho gaya, whatsapp pe message mat karna", services: svc("whatsapp")},

		{name: "pt travando", text: "alguém mais com o instagram travando?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "pt web", text: "o whatsapp web não conecta de jeito nenhum", complaint: true, services: svc("whatsapp"), problem: "connection"},
		{name: "pt não abre", text: "netflix não abre na smart tv nem no celular", complaint: true, services: svc("netflix"), problem: "total_outage"},
		{name: "pt sem internet", text: "tô sem internet em casa, então nada de insta hoje", services: svc("instagram")},
		{name: "pt queria", text: "queria que o insta caísse pra eu ter paz", services: svc("instagram")},

		{name: "es falla", text: "¿a alguien más le falla spotify? se traba cada rato", complaint: true, services: svc("spotify"), problem: "total_outage"},
		{name: "es cuenta", text: "no puedo entrar a mi cuenta de instagram, dice error", complaint: true, services: svc("instagram"), problem: "login"},
		{name: "es casa wifi", text: "el wifi de mi casa anda fatal, ni youtube carga", services: svc("youtube")},
		{name: "es ojalá", text: "ojalá se caiga tiktok para poder estudiar", services: svc("tiktok")},

		{name: "de gar nicht mehr", text: "Bei mir lädt Instagram gar nicht mehr, geht's euch auch so?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "de web", text: "WhatsApp Web verbindet sich nicht", complaint: true, services: svc("whatsapp"), problem: "connection"},
		{name: "de fehler", text: "Netflix zeigt nur Fehler NW-2-5 an", complaint: true, services: svc("netflix"), problem: "server_error"},
		{name: "de zug", text: "WLAN im Zug ist mal wieder tot, kein Insta für mich", services: svc("instagram")},
		{name: "de wenn", text: "wenn twitter down ist, lese ich endlich bücher", services: svc("x")},

		{name: "tr bende", text: "youtube açılmıyor bende, sizde de mi?", complaint: true, services: svc("youtube"), problem: "total_outage"},
		{name: "tr hikaye", text: "instagram hikayeler yüklenmiyor", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "tr giriş", text: "whatsapp'a giriş yapamıyorum", complaint: true, services: svc("whatsapp"), problem: "login"},
		{name: "tr internet yok", text: "internetim yok o yüzden instagrama giremiyorum", services: svc("instagram")},
	})
}

// TestClassifyMorePhrasings holds a third round: slang, UI strings,
// account problems and recoveries told with a past outage.
func TestClassifyMorePhrasings(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "acting weird", text: "is it just me or is whatsapp acting weird today", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "pending", text: "whatsapp messages pending forever 😩", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "ui string", text: "instagram: 'Sorry, something went wrong. Please try again later.'", complaint: true, services: svc("instagram"), problem: "server_error"},
		{name: "splash", text: "the youtube app is stuck at the splash screen", complaint: true, services: svc("youtube"), problem: "total_outage"},
		{name: "empty feed", text: "Threads feed empty for anyone else?", complaint: true, services: svc("threads"), problem: "feed"},
		{name: "voice notes", text: "can't send voice notes on whatsapp rn", complaint: true, services: svc("whatsapp"), problem: "media"},
		{name: "emoji", text: "whatsapp down? 🤔", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "cannot connect quoted", text: "my wifi works fine but netflix keeps saying 'can't connect'", complaint: true, services: svc("netflix"), problem: "connection"},
		{name: "so broken", text: "lol twitter is so broken today", complaint: true, services: svc("x"), problem: "total_outage"},
		{name: "pausing", text: "spotify keeps pausing my songs randomly", complaint: true, services: svc("spotify"), problem: "media"},
		{name: "login attempts", text: "tiktok won't let me log in, says too many attempts", complaint: true, services: svc("tiktok"), problem: "login"},
		{name: "rip streaks", text: "RIP to my streaks 😭 snapchat down again", complaint: true, services: svc("snapchat"), problem: "total_outage"},
		{name: "fine now", text: "whatsapp was down for like an hour this morning but it's fine now", recovery: true, services: svc("whatsapp")},
		{name: "back to normal after yesterday", text: "gmail is back to normal after yesterday's mess", recovery: true, services: svc("gmail")},
		{name: "down bad", text: "Facebook is down bad for attention lately", services: svc("facebook")},
		{name: "power comes back", text: "watching netflix til the power comes back", services: svc("netflix")},
		{name: "be offline", text: "I'll be offline on whatsapp this weekend", services: svc("whatsapp")},
		{name: "hacked", text: "my instagram account got hacked and I can't log in", services: svc("instagram")},
		{name: "ask if", text: "does anyone know if spotify premium is cheaper in turkey?", services: svc("spotify")},
		{name: "back on", text: "Back on twitter after a month off", services: svc("x")},
		{name: "downloaded", text: "downloaded whatsapp on my new phone", services: svc("whatsapp")},

		{name: "it problemi", text: "instagram mi dà problemi con i messaggi", complaint: true, services: svc("instagram"), problem: "messages"},
		{name: "it non parte", text: "Netflix non parte sulla tv", complaint: true, services: svc("netflix"), problem: "total_outage"},
		{name: "it telefono rotto", text: "ho il telefono rotto, non posso usare whatsapp", services: svc("whatsapp")},
		{name: "it tornato tutto", text: "è tornato tutto, whatsapp funziona", recovery: true, services: svc("whatsapp")},
		{name: "fr beug", text: "Insta beug grave depuis ce matin", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "fr mise à jour", text: "whatsapp ne marche plus depuis la mise à jour", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "fr réseau", text: "j'ai plus de réseau, whatsapp ne marche pas", services: svc("whatsapp")},
		{name: "ar trouble question", text: "الواتس فيه مشكلة ولا بس عندي؟", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "ar photos", text: "انستقرام ما يحمل الصور", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "ar arabizi open", text: "tiktok mesh byefta7 ma3aya", complaint: true, services: svc("tiktok"), problem: "total_outage"},
		{name: "es historias", text: "instagram no me deja subir historias", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "pt nada carrega", text: "o twitter tá muito lento hoje, nada carrega", complaint: true, services: svc("x"), problem: "total_outage"},
		{name: "de sprachchat", text: "Discord spinnt total, Sprachchat bricht ständig ab", complaint: true, services: svc("discord"), problem: "calls"},
		{name: "tr şarkı", text: "spotify şarkıları açılmıyor", complaint: true, services: svc("spotify"), problem: "media"},
		{name: "hi buffer", text: "youtube par video buffer ho rahe hain", complaint: true, services: svc("youtube"), problem: "media"},
	})
}

// TestClassifyBenignMentions holds everyday posts that name a service next
// to a word that elsewhere means an outage. None is a complaint or a
// recovery.
func TestClassifyBenignMentions(t *testing.T) {
	c := testClassifier(t)
	for _, text := range []string{
		"whatsapp me when you're down to hang out",
		"my instagram followers went down by 100 overnight",
		"youtube views are down this month, algorithm hates me",
		"netflix is dead to me after the price hike",
		"the discord server is dead, nobody talks anymore",
		"the group chat on whatsapp has been dead all day",
		"I broke my phone screen, whatsapp me later",
		"facebook marketplace is down bad for scams",
		"messenger kids is a crash course in parenting",
		"I can't open up on instagram like I used to",
		"gmail storage full again, deleting old stuff",
		"stasera sono giù di morale, guardo netflix",
		"il gruppo whatsapp è morto, nessuno scrive più",
		"Instagram mi ha bloccato l'account per 24 ore",
		"je suis tombée sur une vidéo youtube incroyable",
		"mon groupe whatsapp est mort depuis des semaines",
		"me muero de risa con este tiktok",
		"el grupo de whatsapp está muerto",
		"caí no golpe do whatsapp, que raiva",
		"o grupo da família no zap morreu",
		"bin down für netflix heute abend",
		"die WhatsApp-Gruppe ist tot, keiner schreibt",
		"whatsapp grubu öldü, kimse yazmıyor",
		"whatsapp group dead ho gaya hai yaar",
		"الجروب على الواتس ميت محد يكتب",
		"spotify wrapped came out, my top song is embarrassing",
		"posted a story on insta, go look",
		"netflix and chill tonight?",
		"telegram channel hit 10k, thanks everyone",
		"youtube recommended me a 3 hour video about trains and I watched all of it",
	} {
		t.Run(text, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "b", Text: text})
			if sig.Complaint || sig.Recovery {
				t.Errorf("%q: complaint=%v recovery=%v services=%v\n cues %s", text, sig.Complaint, sig.Recovery, sig.Services, cueString(sig.Cues))
			}
		})
	}
}

// A group, channel or server named with a service is a thing of its own for
// words such as "dead", but a symptom in it is still about the service.
func TestClassifyCommunityNouns(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "group dead", text: "our whatsapp group is dead lately", services: svc("whatsapp")},
		{name: "group messages", text: "messages in my whatsapp group aren't sending", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "server not loading", text: "discord server not loading for anyone else?", complaint: true, services: svc("discord"), problem: "total_outage"},
		{name: "servers down", text: "whatsapp servers are down again", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "channel", text: "il canale telegram è morto, nessuno posta", services: svc("telegram")},
	})
}

// TestClassifyBasicLanguages widens the cover of Spanish, Portuguese,
// German, Turkish and Hindi: every cue family once, and the usual
// negatives.
func TestClassifyBasicLanguages(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "es no funciona", text: "a mí no me funciona el instagram desde hace una hora", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "es no carga", text: "tiktok no carga nada, ¿les pasa?", complaint: true, services: svc("tiktok"), problem: "total_outage"},
		{name: "es llamadas", text: "las videollamadas de whatsapp se cortan todo el tiempo", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "es notificaciones", text: "no me llegan notificaciones de instagram", complaint: true, services: svc("instagram"), problem: "notifications"},
		{name: "es se cierra", text: "spotify se cierra solo cada vez que lo abro", complaint: true, services: svc("spotify"), problem: "app_crash"},
		{name: "es sesión", text: "netflix me cerró la sesión y no me deja volver a entrar", complaint: true, services: svc("netflix"), problem: "login"},
		{name: "es guasap", text: "el guasap no va, tío", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "es volvió a funcionar", text: "gmail volvió a funcionar, menos mal", recovery: true, services: svc("gmail")},
		{name: "es ayer", text: "ayer se cayó instagram por dos horas", services: svc("instagram")},
		{name: "es negación", text: "whatsapp no está caído, es tu internet", services: svc("whatsapp")},
		{name: "es batería", text: "me quedé sin batería, luego te escribo por whats", services: svc("whatsapp")},

		{name: "pt não funciona", text: "o instagram não tá funcionando aqui, alguém mais?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "pt chamadas", text: "as chamadas do whatsapp ficam caindo toda hora", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "pt login", text: "não consigo entrar no meu facebook, diz que a senha tá errada", complaint: true, services: svc("facebook"), problem: "login"},
		{name: "pt stories", text: "os stories não carregam no insta", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "pt zapzap", text: "o zapzap tá fora do ar ou é só aqui?", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "pt voltou", text: "o youtube voltou ao normal", recovery: true, services: svc("youtube")},
		{name: "pt ontem", text: "ontem o whatsapp ficou fora do ar por umas horas", services: svc("whatsapp")},
		{name: "pt negação", text: "o insta não caiu não, é a tua internet", services: svc("instagram")},
		{name: "pt luz", text: "acabou a luz aqui em casa, sem zap por enquanto", services: svc()},

		{name: "de geht nicht mehr", text: "Instagram geht seit heute morgen nicht mehr", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "de nachrichten", text: "WhatsApp Nachrichten kommen nicht an, nur ein grauer Haken", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "de störung", text: "Störung bei Telegram? Bei mir lädt nichts", complaint: true, services: svc("telegram"), problem: "total_outage"},
		{name: "de anmelden", text: "Gmail: kann mich nicht anmelden, Passwort falsch obwohl es stimmt", complaint: true, services: svc("gmail"), problem: "login"},
		{name: "de wieder da", text: "Instagram ist wieder da, endlich", recovery: true, services: svc("instagram")},
		{name: "de gestern", text: "gestern war WhatsApp zwei Stunden down", services: svc("whatsapp")},
		{name: "de nicht down", text: "WhatsApp ist nicht down, dein Handy ist einfach alt", services: svc("whatsapp")},
		{name: "de strom", text: "Stromausfall bei uns, kein WLAN, kein Netflix", services: svc("netflix")},

		{name: "tr çalışmıyor", text: "instagram çalışmıyor mu? hiçbir şey yüklenmiyor", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "tr bildirim", text: "whatsapp bildirimleri gelmiyor bugün", complaint: true, services: svc("whatsapp"), problem: "notifications"},
		{name: "tr arama", text: "whatsapp görüntülü arama sürekli kopuyor", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "tr geri geldi", text: "twitter geri geldi sonunda", recovery: true, services: svc("x")},
		{name: "tr dün", text: "dün akşam instagram iki saat çöktü", services: svc("instagram")},
		{name: "tr çökmedi", text: "instagram çökmedi, senin internetin gitti", services: svc("instagram")},
		{name: "tr şarj", text: "şarjım bitti, whatsapptan sonra yazarım", services: svc("whatsapp")},

		{name: "hi नहीं चल रहा", text: "यूट्यूब नहीं चल रहा, सबके साथ ऐसा है?", complaint: true, services: svc("youtube"), problem: "total_outage"},
		{name: "hi login", text: "इंस्टाग्राम में लॉगिन नहीं हो रहा", complaint: true, services: svc("instagram"), problem: "login"},
		{name: "hi hinglish call", text: "whatsapp call baar baar cut ho rahi hai", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{name: "hi theek", text: "instagram theek ho gaya finally", recovery: true, services: svc("instagram")},
		{name: "hi kal raat", text: "कल रात इंस्टाग्राम दो घंटे डाउन रहा", services: svc("instagram")},
		{name: "hi light", text: "light chali gayi, whatsapp baad mein dekhunga", services: svc("whatsapp")},
	})
}

// TestClassifyRemainingFamilies fills in cue and negative families not yet
// covered per language: hashtags, sarcasm, things that are not online
// services.
func TestClassifyRemainingFamilies(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "it sarcasm", text: `"instagram è giù?" no, è che nessuno ti mette like`, services: svc("instagram")},
		{name: "it not a service", text: "il sito della banca è giù, meno male che whatsapp va", services: svc("whatsapp")},
		{name: "it recovery after question", text: "whatsapp di nuovo online, tutto risolto", recovery: true, services: svc("whatsapp")},
		{name: "fr hashtag", text: "#instagramdown encore une fois", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "fr sarcasm", text: "« snap est en panne ? » non, personne like tes snaps", services: svc("snapchat")},
		{name: "fr not a service", text: "le distributeur de la banque est en panne, je paierai par messenger", services: svc("messenger")},
		{name: "fr wish", text: "j'aimerais que tiktok tombe en panne une semaine", services: svc("tiktok")},
		{name: "ar sarcasm", text: "\"السناب طايح؟\" لا، بس محد حط لايك على صورتك", services: svc("snapchat")},
		{name: "ar not a service", text: "الصراف واقف من الصبح، حولت الفلوس من التطبيق وسجلت على الواتس", services: svc("whatsapp")},
		{name: "ar hypothetical", text: "لو يوتيوب وقف يوم نص الناس ما رح تعرف تطبخ", services: svc("youtube")},
		{name: "en hypothetical would", text: "imagine if chatgpt went down during finals week", services: svc("chatgpt")},
		{name: "en hashtag ambiguous", text: "#xdown again lol", complaint: true, services: svc("x"), problem: "total_outage"},
	})
}
