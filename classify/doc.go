// Package classify decides, for one post, which online services it names,
// its language, whether it complains that a service is broken right now or
// says that one is back, what kind of problem it describes, and which cues
// led there.
//
// # Pipeline
//
// Classify folds the text into tokens (Normalize shows the result): case,
// Latin accents, fullwidth and mathematical letters, Arabic letter variants,
// harakat and tatweel, Devanagari vowel variants, letter elongation
// ("downnnn"), Arabic-Indic digits; URLs, @mentions and e-mail addresses
// are dropped, emoji and punctuation are boundaries. One pass over the
// tokens with a byte trie of aliases finds the services named, trying
// Arabic tokens without their clitics (و ف ب ل ك ع, ال) and Latin tokens
// without Turkish case endings ("instagramdan"); Arabic verbs inside the
// negation circumfix م/ما…ش ("مبيشتغلش", Arabizi "mabyefta7sh") are also
// tried bare, and a working verb found so is negated. A post that names no
// service, the bulk of a firehose, stops there: no language
// identification, no lexicon, no allocation.
//
// A post that names a service is matched against every lexicon at once
// (one token trie, leftmost-longest). The phrases found vote for their
// languages; the language is the post's hint when it is configured, else
// the script when it is Arabic or Devanagari, else romanised Arabic or
// Hindi recognised from typical words and digits-as-letters ("wa2ef"),
// else the lexicon votes when they are clear, else lingua-go (built once,
// restricted to the configured Latin-script languages, in low-accuracy
// mode: about 8 MB of models instead of about 130 MB) weighed with the
// votes; lingua is not shown English cue phrases ("down", a quoted
// "Something went wrong") when phrases of another language were found, and
// on a post of two or three words the phrases weigh more than lingua. The
// post is then matched again with the lexicons of its language, English
// (written everywhere: "down", "crash") and any other language that
// contributed an outage or recovery phrase of its own. German phrases also
// match their umlauts written as digraphs ("laedt"), English ones their
// "-ing" words without the g ("sendin"); <any> in a phrase stands for one
// word ("stürzt <any> ab").
//
// # Decision
//
// Cues are resolved in the text: a negator before an outage word cancels
// it ("isn't down") and before a working word makes one ("non funziona",
// "geht nicht"); "if", "I wish", "magari", "keşke" cancel what follows in
// their clause, up to a "but"; "again", "wieder", "now" next to a working
// word make a recovery ("funzt wieder"); idioms mask the words they
// contain ("down for pizza", "moralim çöktü"). Each remaining cue is
// attributed to the nearest anchor in its sentence, one in the cue's own
// clause before any other: a service (services listed together share
// cues), the author's own device or connection, a carrier, or something
// that is not an online service (a bank, a train); a failure or symptom
// is about a device only when the device is its subject ("my phone's
// screen is frozen", not "spinning wheel on the phone"). Outage words
// about the author's device (unless asked: "is it X or my wifi?"), "it's
// your wifi" and mocked questions count against a complaint; news of a
// past outage ("yesterday", a year, "remember when", "what caused", a
// headline's label such as "Report:") rules out the outage told in its own
// sentence, except the outage words nearer to a word of the present ("it
// broke last week too, and now it's down again"). "I thought" cancels the
// outage it introduces ("dachte schon X ist down"), and in languages that
// say it after the verb, the outage before it ("çalışmıyor sandım"). A
// service said to work ("insta loads fine") takes no outage words from
// other clauses unless a "but" follows, so "everyone is on X because
// WhatsApp is down" names WhatsApp only.
// Ambiguous aliases (X, WA, IG, zap, signal, threads, snap, face) count
// only when such a cue is about them or they are written as a hashtag.
//
// Each service gets a score from its strongest cue plus small bonuses
// (further cues, a question such as "anyone else?", the author ruling out
// their own side) minus penalties; 0.75 makes a complaint. A service said
// to be back and not "still down" is a recovery. A post that says one
// service is back and another is still down is a complaint: Complaint and
// Recovery are never both true. The problem type is the most specific one
// described: a symptom's own type, or for outage and failure words the
// topic named near them ("stories won't load" is media), else
// total_outage. A described symptom beats a generic outage word that only
// a nearby noun made specific, and an error message, a sign-in or a
// payment failure beats a problem a topic made ("stories won't load,
// 'something went wrong'" is a server error).
//
// # Learned stage
//
// Unless Config.RulesOnly, a linear model then weighs the post (model.go):
// hashed words, word pairs and character 3- to 5-grams of the text, every
// service name one token, with the lexicon's cues (kind, value, what each
// is about, whether its sentence asks or tells of the past, pairs of cues
// in a sentence) and its verdict. Logistic heads give the probabilities of
// a complaint and of a recovery, calibrated (Platt) on posts the weights
// were not fitted on; a softmax head gives the problem type. The model may
// drop a complaint the phrases found or add one they missed, naming the
// services the phrases pointed to, else those named and not said to work;
// it never turns a complaint the phrases found into a recovery ("down
// again"). Posts naming only ambiguous aliases, which the lexicons pass
// over without a cue, reach it too. Train fits one from labelled posts
// (seismo train); the embedded model.bin was trained on the corpus in
// testdata/corpus. A complaint that only asks whether its one service is
// down too ("is insta down too?", or as an alternative: "is insta working
// or did it crash too?") is marked Collateral.
//
// # Signal
//
// Confidence is the classifier's confidence in its verdict, whichever it
// is: the learned stage's calibrated probability of it when that stage
// runs; otherwise high for a post with strong complaint cues and for a
// post with no evidence at all, near 0.5 for a borderline one. Cues lists what was
// found, in text order, with these kinds: service (Value: service id),
// hashtag (an outage hashtag; Value: service id), outage and symptom
// (Value: the problem type they imply), question, recovery (Value: the
// service it is about), negative (Value: the family: idiom, past, news,
// own_device, blame, sarcasm, hypothetical, negation, not_service,
// service_ok), context (the author ruled out their own side; Value
// asks_too on a collateral complaint), and problem
// (Value: the problem type chosen, Match: the phrase that chose it).
//
// # Data
//
// The service catalog is catalog.json; a user's own file in the same
// format replaces it (Config.Catalog). The lexicons are lexicon/*.txt, one
// plain-text file per language, described in lexicon/README.md.
//
// A Classifier is safe for concurrent use and does bounded work per post:
// it reads at most 20,000 bytes and 2,500 tokens, tracks at most 64
// service mentions and 256 cues, and hands lingua at most 600 bytes.
package classify
