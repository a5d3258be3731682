package classify_test

import "testing"

// TestFamiliesGerman covers German families with sentences of their own:
// separable and inverted verbs, Swiss and Austrian forms, symptoms told
// without an outage word, and the negative families.
func TestFamiliesGerman(t *testing.T) {
	runVerdicts(t, []verdictCase{
		// Separable verbs, words between the parts.
		{name: "stürzt ab with words between", text: "Spotify stürzt nach zwei Sekunden ab, jedes Mal", complaint: true, services: none("spotify"), problem: "app_crash"},
		{name: "inverted crash", text: "Bei mir stürzt Netflix ständig ab", complaint: true, services: none("netflix"), problem: "app_crash"},
		{name: "calls break off", text: "Die Anrufe über WhatsApp brechen nach einer Minute ab", complaint: true, services: none("whatsapp"), problem: "calls"},
		{name: "throws me out", text: "Instagram schmeißt mich dauernd raus und will jedes Mal das Passwort", complaint: true, services: none("instagram"), problem: "login"},
		// Symptoms without an outage word.
		{name: "empty inbox", text: "Gmail: Posteingang bleibt leer, obwohl mir Leute was geschickt haben", complaint: true, services: none("gmail"), problem: "messages"},
		{name: "messages stuck", text: "WhatsApp Nachrichten gehen ned raus, nur ein grauer Haken", complaint: true, services: none("whatsapp"), problem: "messages"},
		{name: "black videos", text: "YouTube Videos bleiben schwarz, nur der Ton läuft", complaint: true, services: none("youtube"), problem: "media"},
		{name: "same videos", text: "TikTok zeigt immer dieselben fünf Videos, neu laden bringt nichts", complaint: true, services: none("tiktok"), problem: "feed"},
		{name: "card refused", text: "Netflix nimmt meine Karte nicht, Zahlung wird abgelehnt", complaint: true, services: none("netflix"), problem: "payments"},
		{name: "no push", text: "Facebook schickt mir keine Benachrichtigungen mehr, die Nachrichten sind aber da", complaint: true, services: none("facebook"), problem: "notifications"},
		{name: "quoted error", text: "ChatGPT sagt nur „Ein Fehler ist aufgetreten“ bei jeder Anfrage", complaint: true, services: none("chatgpt"), problem: "server_error"},
		{name: "post-verbal kein", text: "Insta lädt seit einer Stunde keine Stories, nur graue Kreise", complaint: true, services: none("instagram"), problem: "media"},
		{name: "robot voices", text: "Discord Sprachkanal: alle klingen wie Roboter", complaint: true, services: none("discord"), problem: "calls"},
		{name: "hangs on connecting", text: "Telegram hängt beim Verbinden, Internet läuft einwandfrei", complaint: true, services: none("telegram"), problem: "connection"},
		// Subordinate and dialect forms, statuses.
		{name: "subordinate crash", text: "Bin ich der Einzige, bei dem Snapchat ständig abstürzt?", complaint: true, services: none("snapchat"), problem: "app_crash"},
		{name: "freezes, separable", text: "Die WhatsApp-Videoanrufe frieren nach wenigen Sekunden ein", complaint: true, services: none("whatsapp"), problem: "calls"},
		{name: "hangs at status", text: "iCloud hängt seit gestern bei „Wird geladen“, die Fotos kommen nicht", complaint: true, services: none("icloud"), problem: "media"},
		{name: "waiting for network", text: "Telegram zeigt nur „Warte auf Netzwerk…“, WLAN geht aber", complaint: true, services: none("telegram"), problem: "connection"},
		{name: "payment declined repeatedly", text: "Spotify: Zahlung wird immer wieder abgelehnt, Karte ist gedeckt", complaint: true, services: none("spotify"), problem: "payments"},
		{name: "swiss stories", text: "D Stories uf Insta lade gar nöd", complaint: true, services: none("instagram"), problem: "media"},
		{name: "null", text: "Discord funktioniert bei mir null", complaint: true, services: none("discord"), problem: "total_outage"},
		{name: "all gone", text: "WhatsApp und Insta sind gleichzeitig weg", complaint: true, services: none("whatsapp", "instagram"), problem: "total_outage"},
		{name: "negation ends far", text: "Facebook lädt bei mir schon ewig nichts mehr, nur leere Kacheln im Feed", complaint: true, services: none("facebook"), problem: "feed"},
		{name: "bavarian recovery", text: "Insta geht wieda, passt", recovery: true, services: none("instagram")},
		{name: "going offline", text: "Ab Montag bin ich eine Woche offline, also kein WhatsApp", services: none("whatsapp")},
		{name: "sometimes wish", text: "Ich wünschte manchmal, TikTok würde für immer offline gehen", services: none("tiktok")},
		// Second round.
		{name: "will not connect", text: "Telegram Desktop will sich nicht verbinden, am Handy geht's", complaint: true, services: none("telegram"), problem: "connection"},
		{name: "cannot be opened", text: "Instagram lässt sich seit Mittag nicht mehr öffnen", complaint: true, services: none("instagram"), problem: "total_outage"},
		{name: "error beats topic failure", text: "Spotify lädt keine Songs mehr, nur „Etwas ist schiefgelaufen“", complaint: true, services: none("spotify"), problem: "server_error"},
		{name: "camera freezes then closed", text: "Snapchat friert ein und dann ist die App zu", complaint: true, services: none("snapchat"), problem: "app_crash"},
		{name: "cannot be loaded", text: "X: „Beiträge können gerade nicht geladen werden“", complaint: true, services: none("x"), problem: "feed"},
		{name: "hours late", text: "Die Benachrichtigungen von WhatsApp kommen alle erst Stunden später", complaint: true, services: none("whatsapp"), problem: "notifications"},
		{name: "viennese crash", text: "Heast, TikTok is scho wieder ogstiazt", complaint: true, services: none("tiktok"), problem: "app_crash"},
		{name: "no answer", text: "ChatGPT lädt und lädt, aber es kommt keine Antwort", complaint: true, services: none("chatgpt"), problem: "total_outage"},
		{name: "outage over", text: "Die Störung bei Instagram ist wohl vorbei, alles lädt wieder", recovery: true, services: none("instagram")},
		{name: "tv news", text: "Die Tagesschau meldet einen Ausfall bei WhatsApp in halb Europa", services: none("whatsapp")},
		{name: "evening cancelled", text: "Router hat den Geist aufgegeben, der Netflix-Abend fällt aus", services: none("netflix")},
		{name: "carrier network in its own clause", text: "Das Netz von Vodafone ist seit Stunden tot, nix mit Discord", services: none("discord")},
		{name: "dropped phone", text: "Handy ist runtergefallen, Display tot, schreibt mir per Mail statt Signal", services: none()},
		// Third round: digraphs, verb + wieder, devices as subjects.
		{name: "umlaut digraphs", text: "Whatsapp laedt keine Bilder mehr, Stoerung?", complaint: true, services: none("whatsapp"), problem: "media"},
		{name: "digraph crash", text: "Instagram stuerzt staendig ab seit dem Update", complaint: true, services: none("instagram"), problem: "app_crash"},
		{name: "stands still", text: "Netflix ruckelt und bleibt alle paar Sekunden stehen", complaint: true, services: none("netflix"), problem: "media"},
		{name: "thrown out of voice", text: "Ich fliege ständig aus dem Sprachkanal bei Discord", complaint: true, services: none("discord"), problem: "calls"},
		{name: "card refused", text: "Spotify will meine Kreditkarte nicht, obwohl sie überall sonst geht", complaint: true, services: none("spotify"), problem: "payments"},
		{name: "connects forever", text: "Signal verbindet ewig und nix passiert", complaint: true, services: none("signal"), problem: "connection"},
		{name: "cannot get into mailbox", text: "Gmail streikt, ich komm nicht mehr in mein Postfach", complaint: true, services: none("gmail"), problem: "login"},
		{name: "cannot hear", text: "Telegram Anrufe: der andere hört mich nicht", complaint: true, services: none("telegram"), problem: "calls"},
		{name: "funzt wieder", text: "Snapchat funzt wieder 👍", recovery: true, services: none("snapchat")},
		{name: "plays again", text: "Spotify spielt wieder alles ab", recovery: true, services: none("spotify")},
		{name: "machine as subject", text: "Die Waschmaschine ist abgestürzt, jetzt schau ich halt YouTube", services: none("youtube")},
		{name: "worn out", text: "Bin total kaputt vom Training, heute nur noch Netflix", services: none("netflix")},
		// Fourth round.
		{name: "logs itself out", text: "Outlook meldet sich dauernd ab, muss mich alle paar Minuten neu anmelden", complaint: true, services: none("outlook"), problem: "login"},
		{name: "payment could not be done", text: "Netflix sagt „Die Zahlung konnte nicht durchgeführt werden“, Bank sagt alles ok", complaint: true, services: none("netflix"), problem: "payments"},
		{name: "picture stands", text: "TikTok hängt dauernd, Ton läuft weiter aber Bild steht", complaint: true, services: none("tiktok"), problem: "media"},
		{name: "what is up with", text: "Was ist mit Facebook los, Startseite komplett leer", complaint: true, services: none("facebook"), problem: "feed"},
		{name: "low quality only", text: "YouTube lädt nur noch in schlechter Qualität, egal was ich einstelle", complaint: true, services: none("youtube"), problem: "media"},
		{name: "was down earlier, fine now", text: "Insta war heute morgen kurz down, jetzt wieder alles gut", recovery: true, services: none("instagram")},
		{name: "escalator", text: "Die Rolltreppe am Bahnhof ist kaputt. Wenigstens hab ich Spotify", services: none("spotify")},
		// Fifth round: Swiss and Austrian, statuses.
		{name: "swiss clock", text: "Mini Nachrichte uf WhatsApp bliibed bim Uhrzeiche hange", complaint: true, services: none("whatsapp"), problem: "messages"},
		{name: "austrian nothing loads", text: "Insta is bei mir komplett hin, nix lodt", complaint: true, services: none("instagram"), problem: "total_outage"},
		{name: "long middle field", text: "Netflix geht seit heit in da Fruah ned", complaint: true, services: none("netflix"), problem: "total_outage"},
		{name: "error comes every time", text: "Hat Twitter grad ein Problem? Beim Tweeten kommt immer ein Fehler", complaint: true, services: none("x"), problem: "server_error"},
		{name: "overloaded", text: "ChatGPT ist total überlastet, bekomme nur Fehlermeldungen", complaint: true, services: none("chatgpt"), problem: "server_error"},
		{name: "not shown", text: "Messenger zeigt Nachrichten doppelt und manche gar nicht", complaint: true, services: none("messenger"), problem: "messages"},
		{name: "gone from a device", text: "iCloud Fotos sind plötzlich alle weg vom iPad", complaint: true, services: none("icloud"), problem: "media"},
		{name: "loading failed", text: "Threads lädt keine Antworten, überall „Laden fehlgeschlagen“", complaint: true, services: none("threads"), problem: "feed"},
		{name: "calmed down again", text: "Netflix hat sich wieder eingekriegt, der Film läuft", recovery: true, services: none("netflix")},
		{name: "swiss back", text: "Es lauft wieder, WhatsApp isch zrugg", recovery: true, services: none("whatsapp")},
		// Dialects and slang.
		{name: "austrian", text: "Snapchat funzt ned, geht gar nix", complaint: true, services: none("snapchat"), problem: "total_outage"},
		{name: "swiss", text: "Insta isch abe, bi öich au?", complaint: true, services: none("instagram"), problem: "total_outage"},
		{name: "will einfach nicht", text: "Outlook will heute einfach nicht", complaint: true, services: none("outlook"), problem: "total_outage"},
		{name: "question only me", text: "Ist YouTube gerade down oder bin ich die Einzige?", complaint: true, services: none("youtube"), problem: "total_outage"},
		// Recovery, also with the verb before the service.
		{name: "inverted recovery", text: "Endlich läuft Insta wieder", recovery: true, services: none("instagram")},
		{name: "messages arrive again", text: "WhatsApp geht wieder, die Nachrichten kommen jetzt alle an", recovery: true, services: none("whatsapp")},
		{name: "swiss recovery", text: "Discord gaht wieder, mir chönd spiele", recovery: true, services: none("discord")},
		// Negatives.
		{name: "thought, then own phone", text: "Dachte erst, Instagram ist down, war aber nur mein Handy im Flugmodus", services: none("instagram")},
		{name: "thought it was down", text: "Hab schon gedacht WhatsApp ist tot, aber es lag an meinem WLAN", services: none("whatsapp")},
		{name: "battery", text: "Mein Akku ist leer, melde mich später auf WhatsApp", services: none("whatsapp")},
		{name: "years ago", text: "Vor zwei Jahren fiel Facebook einen ganzen Tag aus", services: none("facebook")},
		{name: "news", text: "Laut Medienberichten war Instagram gestern stundenlang gestört", services: none("instagram")},
		{name: "mood", text: "Ich bin grad so down, Netflix und Decke", services: none("netflix")},
		{name: "mocked question", text: "„Ist Twitter kaputt?“ Nein, dir antwortet einfach keiner", services: none("x")},
		{name: "negation and blame", text: "Insta ist nicht kaputt, dein WLAN ist das Problem", services: none("instagram")},
		{name: "hope", text: "Hoffentlich fällt TikTok mal aus, dann lerne ich endlich", services: none("tiktok")},
		{name: "wish next clause", text: "Ich wünschte, WhatsApp wäre mal einen Tag down", services: none("whatsapp")},
		{name: "carrier outage", text: "Die Telekom hat eine Störung, deswegen geht bei mir kein WhatsApp", services: none("whatsapp")},
		{name: "bank not a service", text: "Die App der Sparkasse ist mal wieder down, super", services: none()},
		{name: "past before, crash now", text: "Gestern ging noch alles. Heute stürzt Netflix sofort ab", complaint: true, services: none("netflix"), problem: "app_crash"},
	})
}
