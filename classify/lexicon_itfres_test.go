package classify_test

import "testing"

func TestLexiconFamiliesItalian(t *testing.T) {
	runFamilies(t, "it", []familyCase{
		// Dialect and chat negation.
		{family: "nn negation", text: "nn va instagram da stamattina", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{family: "nun negation", text: "Raga ma WhatsApp nun funziona pure a voi?", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{family: "nun with start verb", text: "telegram nun parte proprio", complaint: true, services: svc("telegram"), problem: "total_outage"},
		{family: "Neapolitan nu", text: "Ué, facebook nu funziona cchiù?", complaint: true, services: svc("facebook"), problem: "total_outage"},
		{family: "Roman se for si", text: "telegram nun se apre da stamattina", complaint: true, services: svc("telegram"), problem: "total_outage"},
		{family: "progressive", text: "Instagram non sta funzionando da un'ora", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{family: "is there a problem with", text: "c'è qualche problema con Discord?", complaint: true, services: svc("discord"), problem: "total_outage"},
		{family: "says I am offline", text: "Spotify dice che sono offline ma ho il 4G pieno", complaint: true, services: svc("spotify"), problem: "connection"},
		{family: "funge slang", text: "whatsapp non funge", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		// Falling, stopping, ko: gender and number.
		{family: "caduti plural", text: "instagram e facebook sono caduti di nuovo", complaint: true, services: svc("instagram", "facebook"), problem: "total_outage"},
		{family: "caduto question", text: "è caduto discord?", complaint: true, services: svc("discord"), problem: "total_outage"},
		{family: "fermi plural", text: "whatsapp e telegram tutti fermi, che succede", complaint: true, services: svc("whatsapp", "telegram"), problem: "total_outage"},
		{family: "fermo singular", text: "spotify è fermo da mezz'ora", complaint: true, services: svc("spotify"), problem: "total_outage"},
		{family: "ko", text: "WhatsApp è ko in tutta Italia?", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{family: "a person falls", text: "sono caduto dalle scale mentre guardavo tiktok"},
		{family: "dropped phone", text: "mi è caduto il telefono nel lago, whatsapp addio"},
		// Login.
		{family: "sloggare verb forms", text: "Instagram mi ha sloggato tre volte stamattina", complaint: true, services: svc("instagram"), problem: "login"},
		{family: "infinitive clitics", text: "Facebook continua a disconnettermi e a chiedermi la password", complaint: true, services: svc("facebook"), problem: "login"},
		{family: "password refused", text: "outlook non accetta la password ma è giusta", complaint: true, services: svc("outlook"), problem: "login"},
		{family: "code not arriving", text: "non mi arriva il codice di verifica di Instagram", complaint: true, services: svc("instagram"), problem: "login"},
		// Messages, media, calls, errors, payments.
		{family: "nothing arrives", text: "Gmail non mi fa arrivare niente da ieri sera", complaint: true, services: svc("gmail"), problem: "messages"},
		{family: "black videos", text: "youtube: i video restano neri", complaint: true, services: svc("youtube"), problem: "media"},
		{family: "song will not start", text: "spotify non parte la canzone, resta lì", complaint: true, services: svc("spotify"), problem: "media"},
		{family: "song singular topic", text: "Spotify si blocca a metà di ogni canzone", complaint: true, services: svc("spotify"), problem: "media"},
		{family: "calls drop", text: "le videochiamate su whatsapp squillano a vuoto e poi cadono", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{family: "nobody hears me", text: "su discord non mi sentono in vocale", complaint: true, services: svc("discord"), problem: "calls"},
		{family: "error code", text: "Errore 503 su ChatGPT, qualcuno sa qualcosa?", complaint: true, services: svc("chatgpt"), problem: "server_error"},
		{family: "per question is no message", text: "ChatGPT mi dà errore a ogni messaggio, è giù?", complaint: true, services: svc("chatgpt"), problem: "server_error"},
		{family: "card refused", text: "iCloud rifiuta la carta ma la carta funziona ovunque", complaint: true, services: svc("icloud"), problem: "payments"},
		{family: "crash verb forms", text: "TikTok continua a crashare appena apro la fotocamera", complaint: true, services: svc("tiktok"), problem: "app_crash"},
		{family: "cannot listen", text: "Spotify non mi fa ascoltare niente da un'ora", complaint: true, services: svc("spotify"), problem: "media"},
		// Others see it too.
		{family: "me too", text: "anche a me instagram non carica i reel", complaint: true, services: svc("instagram"), problem: "media"},
		{family: "not the only one", text: "x non funziona, non sono l'unico vero?", complaint: true, services: svc("x"), problem: "total_outage"},
		{family: "own wifi asked", text: "Telegram è giù o è il mio wifi?", complaint: true, services: svc("telegram"), problem: "total_outage"},
		// Recovery.
		{family: "back up", text: "Instagram è tornato su, finalmente", recovery: true, services: svc("instagram")},
		{family: "ri- verb", text: "whatsapp rifunziona!", recovery: true, services: svc("whatsapp")},
		{family: "not my side", text: "netflix si è bloccato ma non era il router", complaint: true, services: svc("netflix"), problem: "total_outage"},
		{family: "started again", text: "telegram ha ricominciato a funzionare", recovery: true, services: svc("telegram")},
		// Wishes, mockery, blame, past, own side.
		{family: "wish with adverb", text: "vorrei tanto che tiktok si bloccasse per sempre"},
		{family: "imperfect subjunctive", text: "se instagram chiudesse domani non mi mancherebbe"},
		{family: "mocked question", text: "«WhatsApp non va?» no, è che nessuno ti scrive"},
		{family: "blame the network", text: "Netflix va benissimo, è la tua rete"},
		{family: "it was the router", text: "Instagram non andava stamattina ma era il router"},
		{family: "dead means unused", text: "Facebook è morto, ormai non lo usa nessuno"},
		{family: "laughing to death", text: "sono morto dal ridere con questo video su tiktok"},
		{family: "a friend not answering", text: "Marco non mi risponde su WhatsApp da ieri"},
		{family: "stuck in traffic", text: "siamo fermi in autostrada da un'ora, per fortuna c'è Netflix scaricato"},
		{family: "a relative fell", text: "è caduta mia nonna, vi aggiorno su WhatsApp"},
		{family: "greeting", text: "ciao a tutti, nuovo video su youtube"},
	})
}

func TestLexiconFamiliesFrench(t *testing.T) {
	runFamilies(t, "fr", []familyCase{
		// Colloquial and Québec negation.
		{family: "pus", text: "WhatsApp marche pus pantoute depuis à matin", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{family: "pô", text: "insta marche pô chez moi, vous aussi ?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		// Agreement of planté, tombé.
		{family: "is there a problem with", text: "y'a un problème avec WhatsApp là ?", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{family: "says I am offline", text: "Netflix dit que je suis hors ligne alors que le wifi marche", complaint: true, services: svc("netflix"), problem: "connection"},
		{family: "plantés plural", text: "Facebook et Messenger sont plantés depuis une heure", complaint: true, services: svc("facebook", "messenger"), problem: "total_outage"},
		{family: "plantée feminine", text: "TikTok est plantée ou quoi", complaint: true, services: svc("tiktok"), problem: "total_outage"},
		{family: "all down together", text: "YouTube, Netflix et Spotify tous en panne en même temps ??", complaint: true, services: svc("youtube", "netflix", "spotify"), problem: "total_outage"},
		{family: "est tombé", text: "Discord est tombé ??", complaint: true, services: svc("discord"), problem: "total_outage"},
		{family: "slang en pls", text: "Snapchat est en PLS ce soir", complaint: true, services: svc("snapchat"), problem: "total_outage"},
		{family: "Québec fucké", text: "Telegram est toute fucké à soir", complaint: true, services: svc("telegram"), problem: "total_outage"},
		{family: "veut rien savoir", text: "l'appli Instagram veut rien savoir, ça charge pas", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{family: "a person falls", text: "je suis tombé en jouant pendant que Discord tournait"},
		{family: "dropped phone", text: "mon tel est tombé dans l'eau, je suis injoignable sur WhatsApp"},
		// Login: "me connecter" is signing in.
		{family: "me connecter is login", text: "Impossible de me connecter à Outlook depuis ce matin", complaint: true, services: svc("outlook"), problem: "login"},
		{family: "se connecter is connection", text: "Spotify affiche « impossible de se connecter », le wifi marche", complaint: true, services: svc("spotify"), problem: "connection"},
		{family: "keeps logging out", text: "Gmail arrête pas de me déconnecter", complaint: true, services: svc("gmail"), problem: "login"},
		{family: "password asked again", text: "Outlook me redemande mon mot de passe toutes les 5 minutes", complaint: true, services: svc("outlook"), problem: "login"},
		{family: "code not received", text: "je reçois pas le code de vérification Instagram", complaint: true, services: svc("instagram"), problem: "login"},
		// Messages, media, calls, errors, payments.
		{family: "nothing received", text: "Gmail : je reçois plus rien depuis ce matin", complaint: true, services: svc("gmail"), problem: "messages"},
		{family: "black videos", text: "les vidéos YouTube restent noires", complaint: true, services: svc("youtube"), problem: "media"},
		{family: "will not play", text: "Spotify veut pas lire mes playlists", complaint: true, services: svc("spotify"), problem: "media"},
		{family: "veut pas plus verb", text: "iCloud veut plus synchroniser mes photos", complaint: true, services: svc("icloud"), problem: "media"},
		{family: "veut pas send", text: "Messenger veut pas envoyer mes messages ce soir", complaint: true, services: svc("messenger"), problem: "messages"},
		{family: "rings into the void", text: "les appels WhatsApp sonnent dans le vide", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{family: "kicked from voice", text: "Discord m'éjecte du vocal toutes les deux minutes", complaint: true, services: svc("discord"), problem: "calls"},
		{family: "nobody hears me", text: "on m'entend pas sur les appels Messenger", complaint: true, services: svc("messenger"), problem: "calls"},
		{family: "error code", text: "Erreur 500 sur X, je peux rien poster", complaint: true, services: svc("x"), problem: "server_error"},
		{family: "per message is no message problem", text: "ChatGPT affiche une erreur à chaque message, il est en panne ?", complaint: true, services: svc("chatgpt"), problem: "server_error"},
		{family: "card refused, card fine", text: "Netflix refuse ma carte alors que ma carte passe partout", complaint: true, services: svc("netflix"), problem: "payments"},
		{family: "crash verb forms", text: "Snapchat crashait toute la soirée dès que j'ouvrais une story", complaint: true, services: svc("snapchat"), problem: "app_crash"},
		// Others see it too.
		{family: "not the only one", text: "YouTube marche pas, je suis pas le seul ?", complaint: true, services: svc("youtube"), problem: "total_outage"},
		{family: "or is it my connection", text: "Signal est en panne ou c'est ma connexion ?", complaint: true, services: svc("signal"), problem: "total_outage"},
		// Recovery.
		{family: "works again", text: "WhatsApp refonctionne enfin", recovery: true, services: svc("whatsapp")},
		{family: "back online", text: "Insta est de nouveau en ligne", recovery: true, services: svc("instagram")},
		{family: "back, not my side", text: "Spotify remarche, c'était pas ma box", recovery: true, services: svc("spotify")},
		{family: "repaired", text: "c'est réparé pour Twitter", recovery: true, services: svc("x")},
		// Wishes, mockery, blame, past, own side.
		{family: "wish with adverb", text: "j'aimerais tellement que Insta tombe en panne, je dormirais plus"},
		{family: "future", text: "le jour où YouTube tombera en panne, je vais pleurer"},
		{family: "mocked question", text: "« WhatsApp en panne ? » non, personne t'écrit c'est tout"},
		{family: "blame the phone", text: "Insta marche très bien, c'est ton tel"},
		{family: "past crash", text: "Instagram avait planté hier soir mais là ça va"},
		{family: "it was my headset", text: "Spotify marchait plus mais c'était mon casque"},
		{family: "dead means unused", text: "Facebook est mort, plus personne l'utilise"},
		{family: "own fibre", text: "ma fibre est en panne, pas de Netflix ce soir"},
		{family: "broken down on the road", text: "on est en rade sur l'autoroute, je vous tiens au courant sur WhatsApp"},
		{family: "a relative fell", text: "mon grand-père est tombé dans l'escalier, écrivez-moi sur Messenger"},
		{family: "a friend not answering", text: "Julie me répond pas sur Messenger, elle boude"},
	})
}

func TestLexiconFamiliesSpanish(t *testing.T) {
	runFamilies(t, "es", []familyCase{
		// Regional verbs and tenses.
		{family: "furular", text: "el whatsapp no furula desde hace una hora", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{family: "perfect tense", text: "Instagram se ha caído otra vez, qué hartazgo", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{family: "perfect plural", text: "¿Se han caído Facebook e Instagram?", complaint: true, services: svc("facebook", "instagram"), problem: "total_outage"},
		{family: "tronar", text: "ya tronó telegram, no carga nada", complaint: true, services: svc("telegram"), problem: "total_outage"},
		{family: "tildarse", text: "tiktok se tildó y no pasa del logo", complaint: true, services: svc("tiktok"), problem: "total_outage"},
		{family: "progressive", text: "chamo el whatsapp no está sirviendo", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{family: "is there a problem with", text: "¿hay algún problema con Telegram?", complaint: true, services: svc("telegram"), problem: "total_outage"},
		{family: "fallando", text: "Discord está fallando desde la mañana", complaint: true, services: svc("discord"), problem: "total_outage"},
		{family: "no me va", text: "no me va el whatsapp desde esta mañana", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{family: "no me va as taste", text: "no me va mucho el nuevo diseño de Instagram"},
		{family: "fatal", text: "Gmail va fatal hoy, no carga nada", complaint: true, services: svc("gmail"), problem: "total_outage"},
		{family: "having problems today", text: "¿youtube tiene problemas hoy?", complaint: true, services: svc("youtube"), problem: "total_outage"},
		// Connection error strings.
		{family: "could not connect", text: "Netflix me dice 'No se pudo conectar con Netflix', el wifi va perfecto", complaint: true, services: svc("netflix"), problem: "connection"},
		// Login, messages, calls, media, payments, errors.
		{family: "kicked out of account", text: "Twitter me saca de la cuenta a cada rato", complaint: true, services: svc("x"), problem: "login"},
		{family: "code not arriving", text: "no me llega el código de verificación de Instagram", complaint: true, services: svc("instagram"), problem: "login"},
		{family: "no mail comes in", text: "a Outlook no me entra ningún correo desde anoche", complaint: true, services: svc("outlook"), problem: "messages"},
		{family: "singular llega", text: "a Gmail no me llega nada desde el mediodía", complaint: true, services: svc("gmail"), problem: "messages"},
		{family: "one check", text: "los mensajes de telegram se quedan en un check", complaint: true, services: svc("telegram"), problem: "messages"},
		{family: "calls cut", text: "en whatsapp se me cortan las llamadas cada minuto", complaint: true, services: svc("whatsapp"), problem: "calls"},
		{family: "kicked from call", text: "Discord me saca de la llamada cada rato", complaint: true, services: svc("discord"), problem: "calls"},
		{family: "music cuts is media", text: "en Spotify se corta la música cada dos canciones", complaint: true, services: svc("spotify"), problem: "media"},
		{family: "black stories", text: "las historias de insta se quedan en negro", complaint: true, services: svc("instagram"), problem: "media"},
		{family: "card refused, card fine", text: "YouTube premium me rechaza la tarjeta y la tarjeta funciona en todos lados", complaint: true, services: svc("youtube"), problem: "payments"},
		{family: "error code", text: "me sale error 503 en ChatGPT", complaint: true, services: svc("chatgpt"), problem: "server_error"},
		{family: "per question is no message", text: "ChatGPT me tira un error en cada mensaje, ¿está caído?", complaint: true, services: svc("chatgpt"), problem: "server_error"},
		{family: "crash verb forms", text: "Instagram crasheando cada vez que abro los reels", complaint: true, services: svc("instagram"), problem: "app_crash"},
		// Others see it too.
		{family: "my friends too", text: "Snapchat no me abre y a mis amigos igual", complaint: true, services: svc("snapchat"), problem: "total_outage"},
		{family: "or is it me", text: "¿Instagram está caído o soy yo?", complaint: true, services: svc("instagram"), problem: "total_outage"},
		// Recovery.
		{family: "perfect recovery", text: "ChatGPT ya ha vuelto, por fin", recovery: true, services: svc("chatgpt")},
		{family: "works again perfect", text: "Spotify ha vuelto a funcionar", recovery: true, services: svc("spotify")},
		{family: "furula again", text: "ya furula otra vez el whatsapp", recovery: true, services: svc("whatsapp")},
		{family: "back, not my side", text: "telegram ya volvió, no era mi internet", recovery: true, services: svc("telegram")},
		{family: "can send again", text: "ya puedo mandar mensajes por telegram", recovery: true, services: svc("telegram")},
		// Wishes, mockery, blame, past, own side.
		{family: "wish subjunctive", text: "ojalá que se caiga instagram para dejar de scrollear"},
		{family: "the day it falls", text: "el día que se caiga YouTube no sé qué voy a hacer"},
		{family: "mocked question", text: "'¿se cayó whatsapp?' no, amiga, nadie te escribe"},
		{family: "your ex blocked you", text: "'¿se cayó insta?' no, es que te bloqueó"},
		{family: "blame the phone", text: "Instagram anda perfecto, es tu celular"},
		{family: "past with router", text: "Facebook no cargaba pero era el router"},
		{family: "dropped phone", text: "se me cayó el celular al agua, no tengo whatsapp"},
		{family: "broken phone", text: "se me cayó el móvil y se rompió, estoy sin telegram"},
		{family: "dead means unused", text: "Facebook está muerto, ya nadie lo usa"},
		{family: "a relative fell", text: "se cayó mi abuela pero está bien, les aviso por whatsapp"},
		{family: "not available in a country", text: "esta peli no está disponible en Netflix México"},
		{family: "cannot believe", text: "no se puede creer lo buena que está la serie de Netflix"},
		{family: "does not fit in my head", text: "no me entra en la cabeza que Spotify suba otra vez"},
	})
}
