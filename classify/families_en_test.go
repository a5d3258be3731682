package classify_test

import "testing"

// TestFamiliesEnglish covers English families with sentences of their
// own: symptoms told without an outage word, app strings, British,
// Nigerian and Indian English, and senses of outage words that report
// nothing.
func TestFamiliesEnglish(t *testing.T) {
	runVerdicts(t, []verdictCase{
		// Symptoms without an outage word.
		{name: "loads forever", text: "youtube just loads forever tonight", complaint: true, services: none("youtube"), problem: "total_outage"},
		{name: "opens and closes", text: "discord opens and closes straight away on my laptop", complaint: true, services: none("discord"), problem: "app_crash"},
		{name: "nothing sends", text: "telegram: nothing sends, every message sits there with a clock", complaint: true, services: none("telegram"), problem: "messages"},
		{name: "inbox", text: "outlook hasn't received a single email since lunch and my boss swears he sent three", complaint: true, services: none("outlook"), problem: "messages"},
		{name: "phone not connected", text: "whatsapp web says phone not connected even though both are on the same wifi", complaint: true, services: none("whatsapp"), problem: "connection"},
		{name: "trouble playing", text: "netflix keeps saying it's having trouble playing this title, tried three shows", complaint: true, services: none("netflix"), problem: "media"},
		{name: "payment app string", text: "spotify says it couldn't process your payment but my card works everywhere else", complaint: true, services: none("spotify"), problem: "payments"},
		{name: "notifications only on open", text: "no instagram notifs at all today, I only see the DMs when I open the app", complaint: true, services: none("instagram"), problem: "notifications"},
		{name: "gone wrong", text: "chatgpt: 'Hmm... something seems to have gone wrong.' on every prompt", complaint: true, services: none("chatgpt"), problem: "server_error"},
		{name: "robot voices", text: "discord vc everyone sounds like a robot then it drops", complaint: true, services: none("discord"), problem: "calls"},
		{name: "been trying to call", text: "been trying to call my sister on whatsapp for an hour, it just keeps ringing and cutting", complaint: true, services: none("whatsapp"), problem: "calls"},
		{name: "feed stale", text: "X timeline still showing posts from this morning, pull to refresh does nothing", complaint: true, services: none("x"), problem: "feed"},
		{name: "log back in", text: "snapchat logged me out and I can't log back in, says try again later", complaint: true, services: none("snapchat"), problem: "login"},
		// Second round: refusals, app strings, -ing again recoveries.
		{name: "refusing to load", text: "gmail is refusing to load on every browser, 'Temporary Error (502)'", complaint: true, services: none("gmail"), problem: "server_error"},
		{name: "logged everyone out", text: "discord logged all of us out at once and the login button does nothing", complaint: true, services: none("discord"), problem: "login"},
		{name: "shuts down", text: "my snapchat freezes and shuts down whenever i open a snap", complaint: true, services: none("snapchat"), problem: "app_crash"},
		{name: "calls won't connect", text: "messenger video calls won't connect, just ringing then call ended", complaint: true, services: none("messenger"), problem: "calls"},
		{name: "disconnected status", text: "outlook says disconnected at the bottom, nothing syncing", complaint: true, services: none("outlook"), problem: "connection"},
		{name: "no posts to show", text: "facebook just says no posts to show", complaint: true, services: none("facebook"), problem: "feed"},
		{name: "fine again", text: "ok netflix's fine again, playing normally", recovery: true, services: none("netflix")},
		{name: "answering again", text: "chatgpt answering again, crisis over", recovery: true, services: none("chatgpt")},
		{name: "trickling in", text: "telegram reconnected, messages trickling in", recovery: true, services: none("telegram")},
		{name: "printer", text: "the office printer is down again so i'm sending it all over gmail", services: none("gmail")},
		// Third round.
		{name: "failure on a device is the service's", text: "netflix spinning wheel on the phone and the laptop, nothing plays", complaint: true, services: none("netflix"), problem: "media"},
		{name: "device as subject", text: "my phone's screen is frozen, can't even open whatsapp", services: none("whatsapp")},
		{name: "slow to deliver", text: "is whatsapp acting weird? my msgs take forever to deliver", complaint: true, services: none("whatsapp"), problem: "messages"},
		{name: "live freezing", text: "tiktok live keeps freezing for everyone watching", complaint: true, services: none("tiktok"), problem: "media"},
		{name: "checking for messages", text: "telegram stuck on 'checking for new messages' forever", complaint: true, services: none("telegram"), problem: "connection"},
		{name: "behaving again", text: "looks like instagram is finally behaving again", recovery: true, services: none("instagram")},
		{name: "recovered", text: "discord seems to have recovered, voice works", recovery: true, services: none("discord")},
		{name: "tech press", text: "The Verge says the WhatsApp outage was caused by a bad config push", services: none("whatsapp")},
		{name: "heart crashed", text: "my heart crashed when i saw my spotify wrapped", services: none("spotify")},
		{name: "spam filter", text: "outlook's spam filter is broken, everything lands in junk", services: none()},
		// Fourth round: dropped g, never-verbs, blank feeds, join, again.
		{name: "dropped g", text: "whatsap not sendin my msgs wtf", complaint: true, services: none("whatsapp"), problem: "messages"},
		{name: "down for our company", text: "outlook 365 down for our whole office since 9am", complaint: true, services: none("outlook"), problem: "total_outage"},
		{name: "never send", text: "messenger messages say sending but never send", complaint: true, services: none("messenger"), problem: "messages"},
		{name: "device after the service", text: "gmail on my phone stopped getting new mail", complaint: true, services: none("gmail"), problem: "messages"},
		{name: "blank feed", text: "instagram feed is blank, just white", complaint: true, services: none("instagram"), problem: "feed"},
		{name: "join voice", text: "discord wont let me join any voice channels rn", complaint: true, services: none("discord"), problem: "calls"},
		{name: "working for me again", text: "youtube working for me again after the update", recovery: true, services: none("youtube")},
		{name: "dead boring", text: "that new show on netflix was dead boring ngl", services: none("netflix")},
		{name: "anyone still use", text: "does anyone still use snapchat or is it just dead", services: none("snapchat")},
		{name: "failed my exam", text: "chatgpt basically failed my exam for me", services: none("chatgpt")},
		// Fifth round.
		{name: "disconnecting is connection", text: "telegram keeps disconnecting me every few minutes", complaint: true, services: none("telegram"), problem: "connection"},
		{name: "calls disconnecting", text: "whatsapp calls keep disconnecting after a minute", complaint: true, services: none("whatsapp"), problem: "calls"},
		{name: "cannot receive", text: "can't receive any messages on signal, they show as sent on her side", complaint: true, services: none("signal"), problem: "messages"},
		{name: "out of sync", text: "netflix audio out of sync on every show tonight", complaint: true, services: none("netflix"), problem: "media"},
		{name: "network problem string", text: "youtube keeps saying 'there was a problem with the network'", complaint: true, services: none("youtube"), problem: "connection"},
		{name: "same few posts", text: "instagram just showing the same 5 posts over and over", complaint: true, services: none("instagram"), problem: "feed"},
		{name: "greyed out", text: "threads not letting me reply to anything, button greyed out", complaint: true, services: none("threads"), problem: "total_outage"},
		{name: "fine now", text: "update: discord is fine now, sorry for the panic", recovery: true, services: none("discord")},
		{name: "finally arriving", text: "outlook emails finally arriving, what a backlog", recovery: true, services: none("outlook")},
		{name: "working on a fix", text: "facebook is experiencing issues and engineers are working on a fix", complaint: true, services: none("facebook"), problem: "total_outage"},
		{name: "coffee machine", text: "the coffee machine is broken so i'm watching youtube instead", services: none("youtube")},
		{name: "dead quiet", text: "instagram dms are dead quiet today, nobody texting me", services: none("instagram")},
		// Regional English.
		{name: "british", text: "instagram is playing up again, stories won't load", complaint: true, services: none("instagram"), problem: "media"},
		{name: "nigerian", text: "abeg is whatsapp doing anyhow for everybody or na only me?", complaint: true, services: none("whatsapp"), problem: "total_outage"},
		{name: "indian", text: "gmail not opening since morning, anyone else facing this?", complaint: true, services: none("gmail"), problem: "total_outage"},
		// Statuses and -ing forms.
		{name: "app status updating", text: "telegram stuck on 'updating...' for ages, nothing coming in", complaint: true, services: none("telegram"), problem: "messages"},
		{name: "couldn't be sent", text: "messenger says this message couldn't be sent, on every chat", complaint: true, services: none("messenger"), problem: "messages"},
		{name: "voice notes not downloading", text: "whatsapp voice notes aren't downloading at all", complaint: true, services: none("whatsapp"), problem: "media"},
		{name: "feed not refreshed", text: "is X down? my timeline hasn't refreshed in an hour", complaint: true, services: none("x"), problem: "feed"},
		{name: "won't let me pay", text: "facebook marketplace won't let me pay, checkout errors every time", complaint: true, services: none("facebook"), problem: "payments"},
		{name: "sorted", text: "gmail finally delivered everything, looks sorted", recovery: true, services: none("gmail")},
		{name: "video is up", text: "new video is up on my youtube channel, go watch", services: none("youtube")},
		{name: "algorithm", text: "the tiktok algorithm is broken, it only shows me cat videos", services: none("tiktok")},
		{name: "crashed my vibe", text: "spotify shuffle crashed my vibe with a sad song", services: none("spotify")},
		{name: "self checkout", text: "self checkout is broken again so i'm stuck in a queue scrolling instagram", services: none("instagram")},
		{name: "another language's device word", text: "netflix down? stuck on the red loading circle", complaint: true, services: none("netflix"), problem: "total_outage"},
		// Recovery.
		{name: "panic over", text: "facebook's back up, panic over", recovery: true, services: none("facebook")},
		{name: "flooding in", text: "messenger is back, all my messages came flooding in", recovery: true, services: none("messenger")},
		// Negatives.
		{name: "price went up", text: "netflix went up again, that's the third time this year", services: none("netflix")},
		{name: "turned out router", text: "thought insta was down but turns out it was my router lol", services: none("instagram")},
		{name: "thought then but", text: "I thought it was my phone but whatsapp is down for everyone", complaint: true, services: none("whatsapp"), problem: "total_outage"},
		{name: "song stuck", text: "this song has been stuck in my head all day, thanks spotify", services: none("spotify")},
		{name: "working out", text: "working out with my new spotify playlist 💪", services: none("spotify")},
		{name: "power cut", text: "power went out in the whole street, so no netflix tonight", services: none("netflix")},
		{name: "blame", text: "discord isn't down mate, restart your router", services: none("discord")},
		{name: "sarcasm", text: "'is snapchat down?' nah, nobody is texting you", services: none("snapchat")},
		{name: "hypothetical", text: "the day tiktok goes down for good I'll finally read a book, if it ever does", services: none("tiktok")},
		{name: "news", text: "Reuters: a Meta spokesperson said the WhatsApp outage was fixed within two hours", services: none("whatsapp")},
		{name: "uber not ours", text: "uber is down so I'm stuck here texting on whatsapp", services: none("whatsapp")},
		{name: "offline mode", text: "downloaded the whole album to listen offline on spotify", services: none("spotify")},
	})
}
