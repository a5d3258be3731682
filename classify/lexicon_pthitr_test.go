package classify_test

import (
	"testing"

	"github.com/seismo-dev/seismo"
)

// pthitrCase is one sentence standing for an expression family of the
// Portuguese, Hindi or Turkish lexicon, and the verdict expected for it.
// The sentences are written for these tests; each stands for a family of
// phrasings, not for itself.
type pthitrCase struct {
	family    string
	text      string
	complaint bool
	recovery  bool
	services  []string // the services broken or back; not checked for a negative
	problem   string
}

// runPtHiTr classifies each case with its language as hint, so that the
// test is about the lexicon's families rather than language
// identification.
func runPtHiTr(t *testing.T, lang string, cases []pthitrCase) {
	t.Helper()
	c := testClassifier(t)
	for _, tc := range cases {
		t.Run(tc.family, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "p1", Text: tc.text, Lang: lang, Country: "BR"})
			want := tc.services
			if !tc.complaint && !tc.recovery {
				want = sig.Services
			}
			if sig.Complaint != tc.complaint || sig.Recovery != tc.recovery ||
				!sameSet(sig.Services, want) || sig.Problem != tc.problem {
				t.Errorf("%q\n got  complaint=%v recovery=%v services=%v problem=%q\n want complaint=%v recovery=%v services=%v problem=%q\n cues %v",
					tc.text, sig.Complaint, sig.Recovery, sig.Services, sig.Problem,
					tc.complaint, tc.recovery, want, tc.problem, sig.Cues)
			}
		})
	}
}

func ids(s ...string) []string { return s }

func TestLexiconFamiliesPortuguese(t *testing.T) {
	runPtHiTr(t, "pt", []pthitrCase{
		// Outage verbs and slang, both varieties.
		{family: "European progressive", text: "o instagram não está a abrir desde manhã", complaint: true, services: ids("instagram"), problem: "total_outage"},
		{family: "won't (não quer)", text: "o twitter não quer carregar de jeito nenhum", complaint: true, services: ids("x"), problem: "total_outage"},
		{family: "chat negation n", text: "whatsapp n funciona aqui em casa", complaint: true, services: ids("whatsapp"), problem: "total_outage"},
		{family: "chat negation naum", text: "o gmail naum carrega nada", complaint: true, services: ids("gmail"), problem: "total_outage"},
		{family: "off slang", text: "o insta tá off pra alguém mais?", complaint: true, services: ids("instagram"), problem: "total_outage"},
		{family: "pane", text: "o telegram deu pane geral", complaint: true, services: ids("telegram"), problem: "total_outage"},
		{family: "frozen", text: "o discord congelou e não sai disso", complaint: true, services: ids("discord"), problem: "total_outage"},
		{family: "failing", text: "o youtube anda a falhar imenso hoje", complaint: true, services: ids("youtube"), problem: "total_outage"},
		{family: "servers down", text: "caíram os servidores do discord, ninguém entra", complaint: true, services: ids("discord"), problem: "total_outage"},
		{family: "still nothing", text: "o spotify continua sem abrir, até agora nada", complaint: true, services: ids("spotify"), problem: "total_outage"},
		// Symptoms.
		{family: "one check", text: "no whats as mensagens ficam com um check só", complaint: true, services: ids("whatsapp"), problem: "messages"},
		{family: "not delivered", text: "o messenger não tá entregando nada pra ninguém", complaint: true, services: ids("messenger"), problem: "messages"},
		{family: "not arriving PT", text: "os emails do gmail não estão a chegar", complaint: true, services: ids("gmail"), problem: "messages"},
		{family: "empty circle", text: "no messenger fica o circulinho vazio em todas", complaint: true, services: ids("messenger"), problem: "messages"},
		{family: "ligar is connect", text: "o whatsapp fica em 'A ligar...' e a internet está boa", complaint: true, services: ids("whatsapp"), problem: "connection"},
		{family: "could not connect PT", text: "a netflix diz que não foi possível ligar ao servidor", complaint: true, services: ids("netflix"), problem: "connection"},
		{family: "web phone status", text: "o whatsapp web fica conectando ao celular e não sai", complaint: true, services: ids("whatsapp"), problem: "connection"},
		{family: "session PT", text: "o facebook não me deixa iniciar sessão desde ontem à tarde", complaint: true, services: ids("facebook"), problem: "login"},
		{family: "logs me out", text: "o tiktok fica deslogando sozinho", complaint: true, services: ids("tiktok"), problem: "login"},
		{family: "code not arriving", text: "o código do telegram não chega nem por sms", complaint: true, services: ids("telegram"), problem: "login"},
		{family: "crash PT", text: "a app do spotify vai abaixo sempre que abro uma playlist", complaint: true, services: ids("spotify"), problem: "app_crash"},
		{family: "opens and closes", text: "o snapchat abre e fecha, já reiniciei tudo", complaint: true, services: ids("snapchat"), problem: "app_crash"},
		{family: "try reloading", text: "o twitter só mostra 'tente recarregar' em tudo", complaint: true, services: ids("x"), problem: "server_error"},
		{family: "robot voice", text: "a chamada do whatsapp fica com voz de robô", complaint: true, services: ids("whatsapp"), problem: "calls"},
		{family: "European keeps dropping", text: "as chamadas do telegram estão sempre a cair", complaint: true, services: ids("telegram"), problem: "calls"},
		{family: "stopped sending", text: "o instagram deixou de mandar notificações", complaint: true, services: ids("instagram"), problem: "notifications"},
		{family: "European timeline", text: "o twitter não carrega a cronologia", complaint: true, services: ids("x"), problem: "feed"},
		{family: "calls do not complete", text: "as chamadas no telegram não completam", complaint: true, services: ids("telegram"), problem: "calls"},
		{family: "does not play", text: "o spotify não toca nenhuma música hoje", complaint: true, services: ids("spotify"), problem: "media"},
		{family: "upload", text: "não consigo subir foto no instagram, fica falhando", complaint: true, services: ids("instagram"), problem: "media"},
		{family: "stale feed", text: "o feed do facebook tá parado, só post velho", complaint: true, services: ids("facebook"), problem: "feed"},
		{family: "no notifications", text: "o discord parou de notificar, as mensagens estão lá", complaint: true, services: ids("discord"), problem: "notifications"},
		{family: "card refused", text: "o spotify recusou meu cartão na renovação", complaint: true, services: ids("spotify"), problem: "payments"},
		{family: "devices ruled out", text: "o youtube não carrega nada nem no pc nem no portátil", complaint: true, services: ids("youtube"), problem: "total_outage"},
		{family: "whole-world question", text: "o face tá fora pra todo mundo?", complaint: true, services: ids("facebook"), problem: "total_outage"},
		{family: "can anyone open", text: "alguém consegue abrir o spotify?", complaint: true, services: ids("spotify"), problem: "total_outage"},
		// Recovery.
		{family: "back on air", text: "o instagram voltou ao ar agora mesmo", recovery: true, services: ids("instagram")},
		{family: "works again PT", text: "o gmail já funciona outra vez", recovery: true, services: ids("gmail")},
		{family: "restored", text: "serviço do discord restabelecido, boa noite", recovery: true, services: ids("discord")},
		{family: "working word again", text: "o telegram já conecta de novo", recovery: true, services: ids("telegram")},
		{family: "can again", text: "já consigo mandar mensagem no messenger", recovery: true, services: ids("messenger")},
		{family: "operational", text: "o gmail já está operacional", recovery: true, services: ids("gmail")},
		// Negatives.
		{family: "was my plan", text: "pensei que o zap tinha caído mas era o meu plano de dados", complaint: false},
		{family: "my laptop went down", text: "o portátil foi abaixo e perdi a reunião no teams, o outlook não teve culpa", complaint: false},
		{family: "your crush", text: "o insta não bugou não, o teu crush é que não te respondeu", complaint: false},
		{family: "European past", text: "o whatsapp esteve fora do ar na semana passada", complaint: false},
		{family: "wish subjunctive", text: "oxalá o tiktok saia do ar durante os exames", complaint: false},
		{family: "idiom mind blown", text: "esse vídeo do youtube bugou minha cabeça", complaint: false},
		{family: "idiom I'm out", text: "tô fora dessa trend do tiktok", complaint: false},
		{family: "bank app", text: "o app do banco caiu, mandei print pelo whatsapp", complaint: false},
		{family: "cash machines", text: "o multibanco está em baixo, mandei o comprovativo pelo whatsapp", complaint: false},
		{family: "some problem with", text: "deve haver algum problema no telegram, ninguém recebe nada", complaint: true, services: ids("telegram"), problem: "total_outage"},
		{family: "goes black", text: "a netflix abre mas o episódio fica preto", complaint: true, services: ids("netflix"), problem: "media"},
		{family: "will not let publish", text: "o tiktok não deixa publicar vídeo nenhum", complaint: true, services: ids("tiktok"), problem: "media"},
		{family: "always an error", text: "o chatgpt dá sempre erro quando pergunto algo", complaint: true, services: ids("chatgpt"), problem: "server_error"},
		{family: "normal again", text: "o discord já está normal outra vez", recovery: true, services: ids("discord")},
		{family: "European dar", text: "já está a dar o youtube, finalmente", recovery: true, services: ids("youtube")},
		{family: "I can't progressive", text: "não tô conseguindo mandar mensagem no telegram", complaint: true, services: ids("telegram"), problem: "messages"},
		{family: "European progressive negated", text: "o facebook não está a atualizar as publicações", complaint: true, services: ids("facebook"), problem: "feed"},
		{family: "keeps doing it", text: "o snapchat não para de fechar sozinho", complaint: true, services: ids("snapchat"), problem: "app_crash"},
		{family: "instability", text: "o instagram está com instabilidade desde o almoço", complaint: true, services: ids("instagram"), problem: "total_outage"},
		{family: "does not reconnect", text: "o discord desconectou sozinho e não reconecta", complaint: true, services: ids("discord"), problem: "connection"},
		{family: "playback error", text: "a netflix dá erro de reprodução em todos os filmes", complaint: true, services: ids("netflix"), problem: "media"},
		{family: "device as place", text: "o discord no meu iphone abre e fecha sozinho", complaint: true, services: ids("discord"), problem: "app_crash"},
		{family: "device as place European", text: "na smart tv a netflix não abre, fica a carregar", complaint: true, services: ids("netflix"), problem: "total_outage"},
		{family: "sending a message", text: "vou mandar as fotos pelo whatsapp mais tarde", complaint: false},
		{family: "get in the mood", text: "não consigo entrar no clima das festas, nem com a playlist do spotify", complaint: false},
		{family: "black and white", text: "a série nova da netflix fica preto e branco no episódio final", complaint: false},
		{family: "muted on purpose", text: "silenciei o grupo, por isso não chegam notificações do whatsapp", complaint: false},
		{family: "plans", text: "não vai dar pra ir ao jantar, avisa no zap", complaint: false},
		{family: "weather subject", text: "caiu um temporal aqui, fiquei vendo youtube", complaint: false},
		{family: "price fell", text: "o preço do spotify caiu pra estudante", complaint: false},
		{family: "shop does not open", text: "a farmácia não abre domingo, vi no instagram deles", complaint: false},
		{family: "person not replying", text: "o meu irmão não responde no whatsapp desde ontem", complaint: false},
		{family: "out of storage", text: "o telemóvel do meu pai não abre o whatsapp porque está sem espaço", complaint: false},
		{family: "broken screen", text: "o ecrã partiu, não consigo ver as mensagens do whatsapp", complaint: false},
		{family: "you are offline", text: "o tiktok caiu? não, tu é que estás sem net", complaint: false},
	})
}

func TestLexiconFamiliesHindi(t *testing.T) {
	runPtHiTr(t, "hi", []pthitrCase{
		// Chat spellings and the emphatic hi.
		{family: "nhi rha", text: "insta chal nhi rha subah se", complaint: true, services: ids("instagram"), problem: "total_outage"},
		{family: "ni rha", text: "youtube kaam ni kar rha", complaint: true, services: ids("youtube"), problem: "total_outage"},
		{family: "emphatic load", text: "twitter ki timeline load hi nahi ho rahi", complaint: true, services: ids("x"), problem: "feed"},
		{family: "emphatic Devanagari", text: "टेलीग्राम पर मैसेज जा ही नहीं रहे", complaint: true, services: ids("telegram"), problem: "messages"},
		{family: "emphatic work", text: "facebook kaam hi nahi kar raha aaj", complaint: true, services: ids("facebook"), problem: "total_outage"},
		{family: "stopped working", text: "gmail chalna band ho gaya achanak", complaint: true, services: ids("gmail"), problem: "total_outage"},
		{family: "stuck ruka", text: "netflix ka video beech mein ruka hua hai", complaint: true, services: ids("netflix"), problem: "media"},
		{family: "stuck atke", text: "whatsapp pe mere msg atke hue hain", complaint: true, services: ids("whatsapp"), problem: "messages"},
		// Symptoms.
		{family: "one tick Devanagari", text: "व्हाट्सएप पर एक ही टिक आ रहा है", complaint: true, services: ids("whatsapp"), problem: "messages"},
		{family: "stopped coming", text: "instagram ki notifications aani band ho gayi hain", complaint: true, services: ids("instagram"), problem: "notifications"},
		{family: "connecting romanised", text: "signal app connect ho raha hai bas, aage nahi badh raha", complaint: true, services: ids("signal"), problem: "connection"},
		{family: "web phone status", text: "whatsapp web pe 'phone se connect ho raha hai' hi dikh raha", complaint: true, services: ids("whatsapp"), problem: "connection"},
		{family: "log out habitual", text: "snapchat baar baar log out kar deta hai", complaint: true, services: ids("snapchat"), problem: "login"},
		{family: "sign in Devanagari", text: "जीमेल में साइन इन नहीं हो पा रहा", complaint: true, services: ids("gmail"), problem: "login"},
		{family: "otp", text: "telegram ka otp hi nahi aa raha", complaint: true, services: ids("telegram"), problem: "login"},
		{family: "closes by itself", text: "tiktok khud hi band ho jata hai video dekhte waqt", complaint: true, services: ids("tiktok"), problem: "app_crash"},
		{family: "robot voice", text: "whatsapp call pe awaaz robot jaisi aa rahi hai", complaint: true, services: ids("whatsapp"), problem: "calls"},
		{family: "choppy audio", text: "discord pe sabki awaaz kat kat ke aa rahi", complaint: true, services: ids("discord"), problem: "calls"},
		{family: "voice cutting", text: "whatsapp call mein awaaz baar baar kat rahi hai", complaint: true, services: ids("whatsapp"), problem: "calls"},
		{family: "songs not playing", text: "youtube music pe gaane play hi nahi ho rahe", complaint: true, services: ids("youtube"), problem: "media"},
		{family: "upload", text: "इंस्टा पर रील अपलोड नहीं हो रही", complaint: true, services: ids("instagram"), problem: "media"},
		{family: "same videos", text: "tiktok ka fyp load hi nahi ho raha, wahi video baar baar", complaint: true, services: ids("tiktok"), problem: "feed"},
		{family: "error habitual", text: "chatgpt kuch bhi poocho to error aata hai", complaint: true, services: ids("chatgpt"), problem: "server_error"},
		{family: "error progressive", text: "outlook baar baar error de raha", complaint: true, services: ids("outlook"), problem: "server_error"},
		{family: "anyone's working", text: "telegram chal raha hai kisi ka?", complaint: true, services: ids("telegram"), problem: "total_outage"},
		{family: "kya question", text: "kya gmail khul raha hai?", complaint: true, services: ids("gmail"), problem: "total_outage"},
		// Recovery.
		{family: "back running", text: "telegram wapas chal raha hai ab", recovery: true, services: ids("telegram")},
		{family: "running fine now", text: "youtube ab theek chal raha hai", recovery: true, services: ids("youtube")},
		{family: "back Devanagari", text: "नेटफ्लिक्स अब ठीक चल रहा है", recovery: true, services: ids("netflix")},
		{family: "reconnected", text: "discord phir se connect ho gaya", recovery: true, services: ids("discord")},
		{family: "fine now", text: "spotify ab theek hai", recovery: true, services: ids("spotify")},
		{family: "on again Devanagari", text: "टेलीग्राम फिर से चालू है", recovery: true, services: ids("telegram")},
		// Negatives.
		{family: "past progressive", text: "subah instagram nahi chal raha tha, wo mera wifi tha", complaint: false},
		{family: "past Devanagari", text: "यूट्यूब कल नहीं चल रहा था पर राउटर की वजह से", complaint: false},
		{family: "data pack", text: "laga whatsapp down hai, phir dekha data pack khatam", complaint: false},
		{family: "carrier network", text: "airtel ka network gaya hua hai, isliye whatsapp nahi chal raha", complaint: false},
		{family: "no net at home", text: "jio ka network area mein gaya hua hai, ghar pe net nahi, netflix bhi nahi chal raha", complaint: false},
		{family: "nobody watches", text: "'insta down hai kya?' nahi, tumhari story koi nahi dekh raha", complaint: false},
		{family: "works for me", text: "whatsapp to chal raha hai, mera to chal raha", complaint: false},
		{family: "mood idiom", text: "mood off hai, youtube pe gaane laga diye", complaint: false},
		{family: "wish", text: "bhagwan kare instagram ek din band ho jae", complaint: false},
		{family: "bank app", text: "bank ka app down hai, whatsapp pe branch walon ko likha", complaint: false},
		{family: "cannot understand", text: "netflix pe kya dekhun kuch samajh nahi aa raha", complaint: false},
		{family: "my wifi is bad", text: "mera wifi aaj bahut kharab hai, netflix bhi load nahi ho raha", complaint: false},
		{family: "not coming", text: "main kal nahi aa raha, whatsapp pe bata diya", complaint: false},
		{family: "not going", text: "aaj college nahi ja rahi, youtube pe lecture dekh lungi", complaint: false},
		{family: "clock stopped", text: "ghadi band ho gayi, insta pe alarm wala meme dekha", complaint: false},
		{family: "school closed", text: "kal school band hai, netflix dekhenge", complaint: false},
		{family: "neither device", text: "snapchat na phone pe khul raha na laptop pe, sirf mere saath?", complaint: true, services: ids("snapchat"), problem: "total_outage"},
		{family: "mind not working", text: "dimag kaam nahi kar raha, chatgpt se likhwa leta hoon", complaint: false},
		{family: "was not visible", text: "facebook pe photos nahi dikh rahi thi, ab dikh gayi", complaint: false},
		{family: "plural down", text: "insta aur facebook dono band hain kya", complaint: true, services: ids("instagram", "facebook"), problem: "total_outage"},
		{family: "servers sat down", text: "discord ke server baith gaye aaj", complaint: true, services: ids("discord"), problem: "total_outage"},
		{family: "stalling", text: "netflix ka video baar baar atak raha hai", complaint: true, services: ids("netflix"), problem: "media"},
		{family: "empty feed", text: "twitter ki timeline khali aa rahi hai", complaint: true, services: ids("x"), problem: "feed"},
		{family: "session expired", text: "instagram bolta hai session expire ho gaya", complaint: true, services: ids("instagram"), problem: "login"},
		{family: "disconnects Devanagari", text: "टेलीग्राम पर कॉल बार बार डिस्कनेक्ट हो रही है", complaint: true, services: ids("telegram"), problem: "calls"},
		{family: "stops midway", text: "youtube pe video chalte chalte ruk jaate hain", complaint: true, services: ids("youtube"), problem: "media"},
		{family: "not visible", text: "instagram pe reels nahi dikh rahi", complaint: true, services: ids("instagram"), problem: "media"},
		{family: "slow Devanagari", text: "फेसबुक आज बहुत धीमा चल रहा है", complaint: true, services: ids("facebook"), problem: "total_outage"},
		{family: "passive sending", text: "व्हाट्सएप पर वीडियो नहीं भेजे जा रहे", complaint: true, services: ids("whatsapp"), problem: "media"},
		{family: "hogaya spelling", text: "telegram band hogya kya sabka", complaint: true, services: ids("telegram"), problem: "total_outage"},
		{family: "kam kr rha spelling", text: "gmail kam nhi kr rha subah se", complaint: true, services: ids("gmail"), problem: "total_outage"},
		{family: "ho ra spelling", text: "discord connect ni ho ra", complaint: true, services: ids("discord"), problem: "connection"},
		{family: "lg rhi spelling", text: "signal app pe call nhi lg rhi", complaint: true, services: ids("signal"), problem: "calls"},
		{family: "logout kr diya", text: "snapchat ne khud logout kr diya", complaint: true, services: ids("snapchat"), problem: "login"},
		{family: "aagya spelling", text: "facebook wapis aagya", recovery: true, services: ids("facebook")},
		{family: "thik hogaya spelling", text: "netflix thik hogya ab", recovery: true, services: ids("netflix")},
	})
}

func TestLexiconFamiliesTurkish(t *testing.T) {
	runPtHiTr(t, "tr", []pthitrCase{
		// Outage verbs and spoken forms.
		{family: "yattı", text: "Instagram yattı mı yine?", complaint: true, services: ids("instagram"), problem: "total_outage"},
		{family: "çakıldı", text: "discord çakıldı galiba", complaint: true, services: ids("discord"), problem: "total_outage"},
		{family: "girmiyor", text: "youtube girmiyor kaç dakikadır", complaint: true, services: ids("youtube"), problem: "total_outage"},
		{family: "spoken -yo", text: "spotify açılmıyo bi türlü", complaint: true, services: ids("spotify"), problem: "total_outage"},
		{family: "spoken -yo messages", text: "telegram'da mesajlar gitmiyo", complaint: true, services: ids("telegram"), problem: "messages"},
		{family: "still not fixed", text: "netflix hala düzelmedi mi", complaint: true, services: ids("netflix"), problem: "total_outage"},
		{family: "bi for bir", text: "discord'da bi sıkıntı mı var", complaint: true, services: ids("discord"), problem: "total_outage"},
		// Symptoms.
		{family: "refresh is feed", text: "twitter akışı yenilenmiyo", complaint: true, services: ids("x"), problem: "feed"},
		{family: "same n videos", text: "tiktok sürekli aynı 4 videoyu gösteriyor, akış yenilenmiyor", complaint: true, services: ids("tiktok"), problem: "feed"},
		{family: "explore empty", text: "instagram keşfet boş geliyor", complaint: true, services: ids("instagram"), problem: "feed"},
		{family: "clock icon", text: "whatsapp mesajları saatte kalıyor", complaint: true, services: ids("whatsapp"), problem: "messages"},
		{family: "messages not dropping in", text: "gmail'e mailler düşmüyor", complaint: true, services: ids("gmail"), problem: "messages"},
		{family: "spoken connecting", text: "telegram bağlanıyo bağlanıyo bitmiyo", complaint: true, services: ids("telegram"), problem: "connection"},
		{family: "cannot reach server", text: "discord sunucuya bağlanılamadı diyor", complaint: true, services: ids("discord"), problem: "connection"},
		{family: "kicks out of account", text: "instagram beni hesaptan atıyor sürekli", complaint: true, services: ids("instagram"), problem: "login"},
		{family: "sign-in failed", text: "netflix'te oturum açılamadı hatası alıyorum", complaint: true, services: ids("netflix"), problem: "login"},
		{family: "verification code", text: "telegram doğrulama kodu gelmiyor", complaint: true, services: ids("telegram"), problem: "login"},
		{family: "has stopped", text: "snapchat durduruldu diyor açınca", complaint: true, services: ids("snapchat"), problem: "app_crash"},
		{family: "something went wrong", text: "twitter bir şeyler yanlış gitti yazıyor", complaint: true, services: ids("x"), problem: "server_error"},
		{family: "choppy call", text: "whatsapp aramada sesler kesik kesik", complaint: true, services: ids("whatsapp"), problem: "calls"},
		{family: "sound comes and goes", text: "discord'da ses gidip geliyor", complaint: true, services: ids("discord"), problem: "calls"},
		{family: "cannot join voice", text: "discord'da sesli kanala giremiyorum", complaint: true, services: ids("discord"), problem: "calls"},
		{family: "cannot be played", text: "youtube videoları oynatılamıyor", complaint: true, services: ids("youtube"), problem: "media"},
		{family: "cannot share", text: "instagram hikaye paylaşılamadı diyor", complaint: true, services: ids("instagram"), problem: "media"},
		{family: "payment not taken", text: "spotify ödeme alınamadı diyor", complaint: true, services: ids("spotify"), problem: "payments"},
		// Recovery.
		{family: "works now", text: "whatsapp artık çalışıyor", recovery: true, services: ids("whatsapp")},
		{family: "came round", text: "instagram kendine geldi sonunda", recovery: true, services: ids("instagram")},
		{family: "recovered", text: "twitter toparlandı, akış yükleniyor", recovery: true, services: ids("x")},
		{family: "loads now", text: "instagram artık yükleniyor", recovery: true, services: ids("instagram")},
		{family: "started arriving", text: "outlook'a mailler gelmeye başladı", recovery: true, services: ids("outlook")},
		{family: "connected at last", text: "telegram bağlandı sonunda", recovery: true, services: ids("telegram")},
		// Negatives.
		{family: "I thought", text: "youtube çöktü sandım, meğer wifi kapalıymış", complaint: false},
		{family: "I had thought", text: "instagram açılmıyor sanmıştım, uçak modu açıkmış", complaint: false},
		{family: "pluperfect past", text: "facebook geçen ay saatlerce çökmüştü", complaint: false},
		{family: "data quota", text: "kotam bitmiş, whatsapp'tan yazamadım", complaint: false},
		{family: "nobody watches your story", text: "'insta çöktü mü?' yok, kimse hikayeni izlemiyor", complaint: false},
		{family: "not to blame", text: "bilgisayar dondu, spotify'ın suçu yok", complaint: false},
		{family: "works for me", text: "whatsapp çökmedi, bende çalışıyor", complaint: false},
		{family: "went to bed", text: "erken yattım, instagram'a bakmadım", complaint: false},
		{family: "mind gone", text: "bu youtube videosu aklım gitti", complaint: false},
		{family: "mood", text: "moralim bozuk, netflix açıp uyuyacağım", complaint: false},
		{family: "if it crashes", text: "whatsapp çökerse hepimiz mektup yazarız", complaint: false},
		{family: "carrier cut", text: "kablonet yine kesik, youtube da açılmıyor haliyle", complaint: false},
		{family: "does not answer the phone", text: "annem telefonu açmıyor, whatsapp'tan yazdım", complaint: false},
		{family: "muted on purpose", text: "whatsapp grubunu sessize aldım, bildirimler gelmiyor artık", complaint: false},
		{family: "wifi is awful", text: "bugün wifi çok kötü, twitter da yüklenmiyor", complaint: false},
		{family: "I'm not going", text: "yarın işe gitmiyorum, whatsapp'tan haber veririm", complaint: false},
		{family: "I'm not working", text: "bugün çalışmıyorum, netflix'te dizi bitireceğim", complaint: false},
		{family: "rain stopped", text: "yağmur durdu, instagram'a fotoğraf attım", complaint: false},
		{family: "tyre burst", text: "lastik patladı, whatsapp'tan konum attım", complaint: false},
		{family: "went shopping", text: "annem markete gitti, whatsapp'tan liste attı", complaint: false},
		{family: "our bot", text: "discord sunucumuzda bot çalışmıyor, ayarlara bakmam lazım", complaint: false},
		{family: "neither nor", text: "facebook akışı ne telefonda ne bilgisayarda yenileniyor", complaint: true, services: ids("facebook"), problem: "feed"},
		{family: "transitive open", text: "spotify hiçbir şarkıyı açmıyor", complaint: true, services: ids("spotify"), problem: "media"},
		{family: "picture not coming", text: "netflix'te dizi açılıyor ama görüntü gelmiyor", complaint: true, services: ids("netflix"), problem: "media"},
		{family: "play or ring", text: "youtube music şarkılar çalmıyor", complaint: true, services: ids("youtube"), problem: "media"},
		{family: "mails not visible", text: "outlook'ta mailler gözükmüyor, gelen kutusu boş", complaint: true, services: ids("outlook"), problem: "messages"},
		{family: "connection dropped", text: "telegram bağlantı koptu diyor durmadan", complaint: true, services: ids("telegram"), problem: "connection"},
		{family: "playback error", text: "youtube oynatma hatası veriyor her videoda", complaint: true, services: ids("youtube"), problem: "media"},
	})
}
