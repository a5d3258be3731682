package classify_test

import "testing"

// TestRetrospectivesAndNews covers, in every language, the posts of a news
// burst about a past outage (how long ago, last week's, remembering,
// looking back, what caused it, who explains it, a headline's label) and
// live complaints that mention the past: a word of the present after it,
// a comparison with last time, "that explains it", a duration ("for a
// week"), a status page link. The sentences are written for this test;
// each stands for a family of phrasings.
func TestRetrospectivesAndNews(t *testing.T) {
	tests := []struct {
		lang  string
		cases []familyCase
	}{
		{lang: "en", cases: []familyCase{
			{family: "past: years ago", text: "Four years ago Snapchat went dark for most of an evening https://news.example/a"},
			{family: "past: year ago today", text: "A year ago today, Gmail was out across Europe https://news.example/b"},
			{family: "past: last weeks without apostrophe", text: "engineers still arguing about last weeks Discord outage https://news.example/c"},
			{family: "past: last weekday", text: "Spotify stopped playing for everyone last Thursday, here's the postmortem https://news.example/d"},
			{family: "past: remember that time", text: "remember that time Instagram broke and we all talked to our families"},
			{family: "past: looking back", text: "Looking back at the day TikTok crashed worldwide https://news.example/e"},
			{family: "past: on this day", text: "On this day, Facebook disappeared from the internet for six hours https://news.example/f"},
			{family: "past: years since", text: "Two years since the Telegram blackout, what changed? https://news.example/g"},
			{family: "past: the story behind", text: "The story behind the YouTube outage nobody saw coming https://news.example/h"},
			{family: "news: what caused", text: "What caused the massive Outlook outage, according to engineers https://news.example/i"},
			{family: "news: explains", text: "Netflix explains the buffering mess during the big match https://news.example/j"},
			{family: "news: label", text: "Analysis: the WhatsApp outage and the fragility of the cloud https://news.example/k"},
			{family: "news: study finds", text: "Study finds the Instagram outage wiped out a day of creator income https://news.example/l"},
			{family: "news: apologises", text: "Discord apologises for the outage that hit gamers https://news.example/m"},
			{family: "live: now after the past", text: "snapchat crashed on me last week too, and now it won't open at all", complaint: true, services: svc("snapchat"), problem: "app_crash"},
			{family: "live: like last time", text: "youtube not loading for me, same as last time", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: that explains", text: "that explains why nobody replied, whatsapp is down", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "live: label with now", text: "Update: instagram down right now, feed won't refresh", complaint: true, services: svc("instagram"), problem: "feed"},
			{family: "live: status link", text: "telegram down for everyone? https://downdetector.example/status/telegram", complaint: true, services: svc("telegram"), problem: "total_outage"},
			{family: "live: hours ago", text: "discord went down an hour ago and nothing works yet", complaint: true, services: svc("discord"), problem: "total_outage"},
			{family: "live: was working", text: "gmail was working a minute ago, now it won't load anything", complaint: true, services: svc("gmail"), problem: "total_outage"},
			{family: "live: since last week", text: "instagram has been down since last week, still nothing loads", complaint: true, services: svc("instagram"), problem: "total_outage"},
			{family: "live: ever since", text: "spotify got an update last month and ever since it crashes on every song", complaint: true, services: svc("spotify"), problem: "app_crash"},
			{family: "live: story of my life", text: "the story of my life, gmail down again", complaint: true, services: svc("gmail"), problem: "total_outage"},
			{family: "live: asking what caused it", text: "whatsapp down, anyone know what caused it", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "live: someone explained", text: "just explained to my mum that instagram is down for everyone", complaint: true, services: svc("instagram"), problem: "total_outage"},
			{family: "past: a year later", text: "The WhatsApp outage, a year later https://news.example/n"},
		}},
		{lang: "es", cases: []familyCase{
			{family: "past: hace años", text: "Hace cuatro años Snapchat dejó de funcionar toda una tarde https://news.example/a"},
			{family: "past: del mes pasado", text: "Lo que sabemos del apagón de Gmail del mes pasado https://news.example/b"},
			{family: "past: el martes pasado", text: "YouTube estuvo caído el martes pasado por un fallo interno https://news.example/c"},
			{family: "past: recordando", text: "Recordando el día en que Instagram se cayó en medio mundo https://news.example/d"},
			{family: "past: un día como hoy", text: "Un día como hoy Facebook desapareció de internet https://news.example/e"},
			{family: "news: qué provocó", text: "Qué provocó la caída de Telegram, según sus ingenieros https://news.example/f"},
			{family: "news: explica", text: "Netflix explica por qué se cortó la transmisión del partido https://news.example/g"},
			{family: "news: label", text: "Análisis: la caída de WhatsApp y la dependencia de una sola app https://news.example/h"},
			{family: "live: ahora after the past", text: "snapchat se cayó la semana pasada y ahora tampoco abre", complaint: true, services: svc("snapchat"), problem: "total_outage"},
			{family: "live: como la semana pasada", text: "youtube no carga nada, como la semana pasada", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: hace que lasts", text: "hace una semana que no me llegan mensajes de telegram", complaint: true, services: svc("telegram"), problem: "messages"},
			{family: "live: alguien me explica", text: "¿alguien me explica por qué no carga instagram?", complaint: true, services: svc("instagram"), problem: "total_outage"},
			{family: "live: desde la semana pasada", text: "whatsapp no funciona desde la semana pasada", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "live: la historia de siempre", text: "la historia de siempre, whatsapp caído otra vez", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "past: se cumple un año", text: "Se cumple un año de la caída de WhatsApp https://news.example/i"},
		}},
		{lang: "fr", cases: []familyCase{
			{family: "past: il y a ans", text: "Il y a quatre ans, Snapchat cessait de fonctionner toute une soirée https://news.example/a"},
			{family: "past: le mois dernier", text: "Tout savoir sur la panne de Gmail du mois dernier https://news.example/b"},
			{family: "past: mardi dernier", text: "YouTube était en panne mardi dernier à cause d'un bug interne https://news.example/c"},
			{family: "past: retour sur", text: "Retour sur le jour où Instagram a planté dans le monde entier https://news.example/d"},
			{family: "news: ce qui a provoqué", text: "Ce qui a provoqué la panne de Telegram selon ses ingénieurs https://news.example/e"},
			{family: "news: explique", text: "Netflix explique la coupure pendant le match https://news.example/f"},
			{family: "news: label", text: "Analyse : la panne de WhatsApp et notre dépendance aux messageries https://news.example/g"},
			{family: "live: maintenant after the past", text: "snapchat avait planté la semaine dernière et maintenant il ne s'ouvre plus", complaint: true, services: svc("snapchat"), problem: "total_outage"},
			{family: "live: comme hier", text: "youtube ne charge plus rien, comme hier", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: ça explique", text: "ça explique pourquoi personne ne répond, whatsapp est en panne", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "live: depuis la semaine dernière", text: "WhatsApp est en panne depuis la semaine dernière", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "live: retour sur another app", text: "whatsapp en panne, retour sur telegram en attendant", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "past: un an après", text: "Un an après la panne géante de WhatsApp https://news.example/h"},
		}},
		{lang: "it", cases: []familyCase{
			{family: "past: anni fa", text: "Quattro anni fa Snapchat smetteva di funzionare per una serata intera https://news.example/a"},
			{family: "past: del mese scorso", text: "Cosa sappiamo del blackout di Gmail del mese scorso https://news.example/b"},
			{family: "past: martedì scorso", text: "YouTube è stato giù martedì scorso per un guasto interno https://news.example/c"},
			{family: "past: ti ricordi quando", text: "Ti ricordi quando Instagram andò in tilt in tutto il mondo? https://news.example/d"},
			{family: "news: cosa ha causato", text: "Cosa ha causato il down di Telegram secondo i suoi ingegneri https://news.example/e"},
			{family: "news: spiega", text: "Netflix spiega il blocco dello streaming durante la partita https://news.example/f"},
			{family: "news: label", text: "Analisi: il down di WhatsApp e la nostra dipendenza dalle chat https://news.example/g"},
			{family: "live: adesso after the past", text: "snapchat si era bloccato la settimana scorsa e adesso non si apre più", complaint: true, services: svc("snapchat"), problem: "total_outage"},
			{family: "live: come ieri", text: "youtube non carica niente, come ieri", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: ecco spiegato", text: "ecco spiegato perché nessuno risponde, whatsapp è giù", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		}},
		{lang: "de", cases: []familyCase{
			{family: "past: vor Monaten", text: "Vor drei Monaten fiel Snapchat einen ganzen Abend lang aus https://news.example/a"},
			{family: "past: des vergangenen Monats", text: "Was wir über den Gmail-Ausfall des vergangenen Monats wissen https://news.example/b"},
			{family: "past: letzten Dienstag", text: "YouTube war letzten Dienstag wegen eines internen Fehlers gestört https://news.example/c"},
			{family: "past: Rückblick", text: "Ein Rückblick auf den Tag, an dem Instagram weltweit abstürzte https://news.example/d"},
			{family: "news: verursachte", text: "Ein fehlerhaftes Update verursachte die Telegram-Störung https://news.example/e"},
			{family: "news: erklärt", text: "Netflix erklärt die Aussetzer beim Boxkampf https://news.example/f"},
			{family: "news: label", text: "Analyse: der WhatsApp-Ausfall und unsere Abhängigkeit von Messengern https://news.example/g"},
			{family: "live: jetzt after the past", text: "Snapchat ist letzte Woche schon abgestürzt und jetzt öffnet es gar nicht mehr", complaint: true, services: svc("snapchat"), problem: "app_crash"},
			{family: "live: wie gestern", text: "YouTube lädt heute gar nichts, wie gestern", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: das erklärt", text: "das erklärt, warum keiner antwortet, WhatsApp ist down", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "live: seitdem", text: "Instagram hat neulich ein Update bekommen und seitdem stürzt es ständig ab", complaint: true, services: svc("instagram"), problem: "app_crash"},
			{family: "live: asking the cause", text: "WhatsApp down, kennt jemand die Ursache", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
			{family: "past: ein Jahr nach", text: "Ein Jahr nach dem großen WhatsApp-Ausfall https://news.example/h"},
		}},
		{lang: "pt", cases: []familyCase{
			{family: "past: há anos", text: "Há quatro anos o Snapchat parou de funcionar por uma noite inteira https://news.example/a"},
			{family: "past: do mês passado", text: "O que sabemos do apagão do Gmail do mês passado https://news.example/b"},
			{family: "past: terça passada", text: "O YouTube ficou fora do ar terça passada por uma falha interna https://news.example/c"},
			{family: "past: relembre", text: "Relembre o dia em que o Instagram caiu no mundo todo https://news.example/d"},
			{family: "news: o que causou", text: "O que causou a queda do Telegram, segundo os engenheiros https://news.example/e"},
			{family: "news: explica", text: "Netflix explica a falha na transmissão da luta https://news.example/f"},
			{family: "news: label", text: "Análise: a queda do WhatsApp e a nossa dependência de um só app https://news.example/g"},
			{family: "live: agora after the past", text: "o snapchat caiu semana passada e agora não abre de jeito nenhum", complaint: true, services: svc("snapchat"), problem: "total_outage"},
			{family: "live: igual ontem", text: "o youtube não carrega nada, igual ontem", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: há que lasts", text: "há uma semana que as mensagens do telegram não chegam", complaint: true, services: svc("telegram"), problem: "messages"},
			{family: "live: outro dia is another day", text: "o instagram caiu de novo, outro dia sem stories", complaint: true, services: svc("instagram"), problem: "media"},
			{family: "past: um ano após", text: "Um ano após a queda do WhatsApp https://news.example/h"},
		}},
		{lang: "tr", cases: []familyCase{
			{family: "past: yıl önce", text: "Dört yıl önce Snapchat bütün bir akşam çalışmamıştı https://news.example/a"},
			{family: "past: geçen ayki", text: "Geçen ayki Gmail kesintisi hakkında bildiklerimiz https://news.example/b"},
			{family: "past: geçen salı", text: "YouTube geçen salı bir iç hata yüzünden çöktü https://news.example/c"},
			{family: "past: hatırlayın", text: "Instagram'ın dünya çapında çöktüğü o akşamı hatırlayın https://news.example/d"},
			{family: "news: nedeni belli oldu", text: "Telegram kesintisinin nedeni belli oldu https://news.example/e"},
			{family: "news: label", text: "Analiz: WhatsApp kesintisi ve mesajlaşma bağımlılığımız https://news.example/f"},
			{family: "live: şimdi after the past", text: "snapchat geçen hafta da çökmüştü, şimdi hiç açılmıyor", complaint: true, services: svc("snapchat"), problem: "total_outage"},
			{family: "live: dünkü gibi", text: "youtube bugün yine açılmıyor, dünkü gibi", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: geçen haftadan beri", text: "instagram geçen haftadan beri açılmıyor", complaint: true, services: svc("instagram"), problem: "total_outage"},
			{family: "live: üzerinden is via", text: "whatsapp üzerinden mesaj gönderemiyorum", complaint: true, services: svc("whatsapp"), problem: "messages"},
			{family: "past: yıl geçti", text: "WhatsApp kesintisinin üzerinden bir yıl geçti https://news.example/g"},
		}},
		{lang: "hi", cases: []familyCase{
			{family: "past: saal pehle", text: "चार साल पहले Snapchat पूरी शाम बंद रहा https://news.example/a"},
			{family: "past: pichle mahine", text: "पिछले महीने Gmail बंद क्यों हुआ था https://news.example/b"},
			{family: "past: roman years ago", text: "do saal pehle instagram poori duniya mein down ho gaya tha https://news.example/c"},
			{family: "news: janiye", text: "YouTube डाउन की असली वजह जानिए https://news.example/d"},
			{family: "news: label", text: "रिपोर्ट: WhatsApp के बंद होने से कारोबारियों को करोड़ों का नुकसान https://news.example/e"},
			{family: "live: ab after the past", text: "पिछले हफ्ते भी Snapchat बंद हुआ था और अब फिर से नहीं खुल रहा", complaint: true, services: svc("snapchat"), problem: "total_outage"},
			{family: "live: jaise kal", text: "aaj bhi youtube nahi chal raha, jaise kal", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: chal raha tha", text: "whatsapp thodi der pehle chal raha tha, ab msg nahi ja rahe", complaint: true, services: svc("whatsapp"), problem: "messages"},
		}},
		{lang: "ar", cases: []familyCase{
			{family: "past: قبل سنوات", text: "قبل أربع سنوات توقف سناب شات طوال المساء https://news.example/a"},
			{family: "past: العام الماضي", text: "ما نعرفه عن انقطاع جيميل العام الماضي https://news.example/b"},
			{family: "past: في مثل هذا اليوم", text: "في مثل هذا اليوم انقطع فيسبوك عن العالم https://news.example/c"},
			{family: "news: تكشف", text: "ميتا تكشف أسباب توقف انستغرام https://news.example/d"},
			{family: "news: label", text: "تحليل: انقطاع واتساب واعتمادنا على تطبيق واحد https://news.example/e"},
			{family: "live: now after the past", text: "سناب وقف الأسبوع اللي فات ودلوقتي مش بيفتح خالص", complaint: true, services: svc("snapchat"), problem: "total_outage"},
			{family: "live: زي امبارح", text: "اليوم يوتيوب واقف زي امبارح", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "live: كان شغال", text: "قبل ساعة كان شغال والحين يوتيوب ما يفتح", complaint: true, services: svc("youtube"), problem: "total_outage"},
			{family: "past: مرور عام", text: "بعد مرور عام على انقطاع واتساب https://news.example/f"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) { runFamilies(t, tc.lang, tc.cases) })
	}
}

// TestPresentWordsAndLabels covers the two rules that bound past and news
// markers: a word of the present reclaims the outage words nearer to it
// than to any marker of its sentence, and a phrase written as a label
// ("report:") counts only when it opens its sentence with a colon.
func TestPresentWordsAndLabels(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "present word nearer the outage", text: "whatsapp broke last week too, and now it's down again", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "marker nearer the outage", text: "instagram went down for hours last week, now I know why", services: svc("instagram")},
		{name: "no present word", text: "whatsapp broke last week too, what a mess that was", services: svc("whatsapp")},
		{name: "present word in the next sentence", text: "youtube crashed yesterday. Now every video keeps buffering", complaint: true, services: svc("youtube"), problem: "media"},
		{name: "label opens the sentence", text: "Report: whatsapp down across Europe for two hours", services: svc("whatsapp")},
		{name: "label word inside the sentence", text: "can't send the report: gmail keeps failing", complaint: true, services: svc("gmail"), problem: "messages"},
		{name: "label word without a colon", text: "the report button is broken on facebook, nothing happens", complaint: true, services: svc("facebook"), problem: "total_outage"},
		{name: "label after a service", text: "instagram report: stories won't load for anyone", complaint: true, services: svc("instagram"), problem: "media"},
	})
}
