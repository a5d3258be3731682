package classify_test

import "testing"

// TestFamiliesArabic covers Arabic families with sentences of their own,
// across Egyptian, Gulf, Levantine, Maghrebi, MSA and Arabizi: dialect
// negations of working verbs, symptoms told without an outage word, app
// strings, questions, recoveries and the negative families.
func TestFamiliesArabic(t *testing.T) {
	runVerdicts(t, []verdictCase{
		// Not working, by dialect.
		{name: "egyptian mabyeshtaghalsh", text: "التيك توك مبيشتغلش خالص من الضهر", complaint: true, services: none("tiktok"), problem: "total_outage"},
		{name: "gulf yehnag", text: "السناب يهنق كل شوي، فيكم احد نفس الشي؟", complaint: true, services: none("snapchat"), problem: "total_outage"},
		{name: "levantine ma am yizbat", text: "الديسكورد ما عم يزبط معي اليوم", complaint: true, services: none("discord"), problem: "total_outage"},
		{name: "algerian rahou habes", text: "الفيسبوك راهو حابس عندي من الصباح", complaint: true, services: none("facebook"), problem: "total_outage"},
		{name: "msa out of service", text: "تطبيق تيليجرام خارج الخدمة منذ ساعة", complaint: true, services: none("telegram"), problem: "total_outage"},
		{name: "still gulf", text: "الواتس للحين واقف؟", complaint: true, services: none("whatsapp"), problem: "total_outage"},
		{name: "arabizi levantine", text: "el tiktok ma 3am yeshta8al 3andi", complaint: true, services: none("tiktok"), problem: "total_outage"},
		{name: "arabizi maghrebi", text: "snapchat ma y5dmch lia mn lbare7, wach ghir ana?", complaint: true, services: none("snapchat"), problem: "total_outage"},
		// Symptoms without an outage word.
		{name: "inbox empty", text: "جيميل ما يجيني ولا ايميل من الصبح، والناس يقولون ارسلنا", complaint: true, services: none("gmail"), problem: "messages"},
		{name: "clock", text: "رسايل الواتس معلقة على الساعة وما تروح", complaint: true, services: none("whatsapp"), problem: "messages"},
		{name: "connecting", text: "نتفليكس مش قادر يتصل وبيقولي حاول تاني، والنت زي الفل", complaint: true, services: none("netflix"), problem: "connection"},
		{name: "logs me out", text: "الانستا بيطلعني من حسابي كل شوية ويقول سجل دخولك", complaint: true, services: none("instagram"), problem: "login"},
		{name: "code never arrives", text: "تويتر ما يخليني ادخل والكود ما يوصل", complaint: true, services: none("x"), problem: "login"},
		{name: "crash", text: "الماسنجر بيعمل كراش أول ما أفتحه", complaint: true, services: none("messenger"), problem: "app_crash"},
		{name: "upload fails", text: "مش قادر ارفع ريلز على انستقرام، يقول فشل الرفع", complaint: true, services: none("instagram"), problem: "media"},
		{name: "discord voice", text: "الديسكورد كل شوي يفصلني من الروم والصوت متقطع", complaint: true, services: none("discord"), problem: "calls"},
		{name: "feed", text: "الفيس ما بيعمل ريفريش، نفس المنشورات من امبارح بالليل", complaint: true, services: none("facebook"), problem: "feed"},
		{name: "payment", text: "نتفليكس رافض البطاقة مع انها شغالة في كل مكان", complaint: true, services: none("netflix"), problem: "payments"},
		{name: "notifications", text: "ما تجيني اشعارات من تيليجرام ابد، لازم افتحه عشان اشوف الرسايل", complaint: true, services: none("telegram"), problem: "notifications"},
		{name: "server error string", text: "يوتيوب يطلعلي عذراً حدث خطأ ما في كل فيديو", complaint: true, services: none("youtube"), problem: "server_error"},
		{name: "hedged question", text: "هو الانستا واقف ولا النت عندي؟ ولا صورة بتحمل", complaint: true, services: none("instagram"), problem: "media"},
		{name: "own net fine", text: "المكالمات على الواتس بتقطع كل شوي والنت عندي تمام", complaint: true, services: none("whatsapp"), problem: "calls"},
		// Feminine forms, b-less verbs, app strings.
		{name: "feminine cannot log in", text: "الانستا واقف؟ مش قادرة اعمل لوج ان من الصبح", complaint: true, services: none("instagram"), problem: "login"},
		{name: "videos freeze feminine", text: "فيديوهات اليوتيوب عم تعلق كل شوي والنت سريع", complaint: true, services: none("youtube"), problem: "media"},
		{name: "calls cut feminine", text: "مكالمات التيليجرام تفصل بعد دقيقة", complaint: true, services: none("telegram"), problem: "calls"},
		{name: "notifications do not reach me", text: "الفيس ما توصلني منه اشعارات ابدا", complaint: true, services: none("facebook"), problem: "notifications"},
		{name: "check your connection string", text: "السناب يطلع لي تحقق من اتصالك بالانترنت والنت شغال تمام", complaint: true, services: none("snapchat"), problem: "connection"},
		{name: "closes when I open", text: "الماسنجر يقفل أول ما أفتح أي محادثة", complaint: true, services: none("messenger"), problem: "app_crash"},
		{name: "asked working then symptom", text: "التيك توك عندكم شغال؟ عندي الفيديوهات ما تطلع", complaint: true, services: none("tiktok"), problem: "media"},
		{name: "arabizi error", text: "spotify by2oli error kol ma a3mel play", complaint: true, services: none("spotify"), problem: "server_error"},
		{name: "maghrebi thought own wifi", text: "kount 7asseb facebook tay7, tla3 ghir lwifi dyali", services: none("facebook")},
		// Second round.
		{name: "every time is no negation", text: "السناب كل ما افتحه يطلعني برا", complaint: true, services: none("snapchat"), problem: "app_crash"},
		{name: "waiting for network", text: "الواتس يقول انتظار الشبكة والواي فاي شغال", complaint: true, services: none("whatsapp"), problem: "connection"},
		{name: "password wrong though right", text: "انستقرام يقول كلمة المرور غير صحيحة وهي صح", complaint: true, services: none("instagram"), problem: "login"},
		{name: "voice comes and goes", text: "مكالمات الماسنجر مو واضحة، الصوت يروح ويجي", complaint: true, services: none("messenger"), problem: "calls"},
		{name: "now fine", text: "تويتر كان واقف الصبح، بس الحين تمام", recovery: true, services: none("x")},
		{name: "arabizi not loading", text: "el youtube msh bey7mel ay video", complaint: true, services: none("youtube"), problem: "media"},
		// Third round.
		{name: "live stream", text: "التيك توك عطلان؟ البث المباشر ما يشتغل عندي", complaint: true, services: none("tiktok"), problem: "media"},
		{name: "network error message", text: "شات جي بي تي يطلع رسالة خطأ في الشبكة مع كل سؤال", complaint: true, services: none("chatgpt"), problem: "server_error"},
		{name: "connection error to server", text: "نتفليكس يقول خطأ في الاتصال بالخادم", complaint: true, services: none("netflix"), problem: "connection"},
		{name: "payment refused", text: "الدفع في يوتيوب بريميوم ما يمر، يتم رفضه كل مرة", complaint: true, services: none("youtube"), problem: "payments"},
		{name: "stopped completely", text: "اشعارات الانستا وقفت تماما من يومين", complaint: true, services: none("instagram"), problem: "notifications"},
		{name: "connection cut", text: "ديسكورد يطلع لي انقطع الاتصال كل شوي", complaint: true, services: none("discord"), problem: "connection"},
		{name: "egyptian arabizi does not want", text: "el tiktok msh 3ayez yefta7 khales", complaint: true, services: none("tiktok"), problem: "total_outage"},
		{name: "mood state", text: "حالتي النفسية واقعة ومش عايزة افتح السناب", services: none("snapchat")},
		{name: "was stuck, own bundle", text: "اليوتيوب كان معلق الصبح، بس طلعت الباقة هي اللي خلصت", services: none("youtube")},
		// Fourth round.
		{name: "feed could not load", text: "تعذر تحميل الخلاصة في فيسبوك من الصبح", complaint: true, services: none("facebook"), problem: "feed"},
		{name: "voice rooms choppy", text: "ديسكورد الرومات الصوتية فيها تقطيع رهيب", complaint: true, services: none("discord"), problem: "calls"},
		{name: "cuts songs", text: "سبوتيفاي يقطع الأغاني بالنص", complaint: true, services: none("spotify"), problem: "media"},
		{name: "only after reopening", text: "تيليجرام ما يجيب الرسايل الا لما اقفله وافتحه", complaint: true, services: none("telegram"), problem: "messages"},
		{name: "does not sync photos", text: "آيكلاود ما يزامن الصور من يومين", complaint: true, services: none("icloud"), problem: "media"},
		{name: "maghrebi arabizi stories", text: "kayn chi mochkil f snapchat? ma kaytl3ouch lia les stories", complaint: true, services: none("snapchat"), problem: "media"},
		{name: "levantine arabizi disconnects", text: "discord 3am yfasel kel shway", complaint: true, services: none("discord"), problem: "calls"},
		{name: "maghrebi error", text: "youtube wa9ef 3andi, kay9ol error", complaint: true, services: none("youtube"), problem: "server_error"},
		{name: "now working", text: "الحين الانستا زابط، الله يعطيكم العافية", recovery: true, services: none("instagram")},
		{name: "problem solved arabizi", text: "el facebook 5dam daba, lmochkil t7al", recovery: true, services: none("facebook")},
		// Fifth round.
		{name: "repeated clitic word", text: "تيليجرام ما يرد، يفضل يحمل وما يطلع شي", complaint: true, services: none("telegram"), problem: "total_outage"},
		{name: "refuses to log me in", text: "سناب يرفض يسجلني دخول ويقول حسابك مقفل مؤقتا", complaint: true, services: none("snapchat"), problem: "login"},
		{name: "replies topic", text: "تويتر عطلان، ما يقدر يحمل الردود", complaint: true, services: none("x"), problem: "feed"},
		{name: "error code", text: "نتفليكس يعطيني رمز خطأ في كل فيلم", complaint: true, services: none("netflix"), problem: "server_error"},
		{name: "transaction refused", text: "سبوتيفاي ما يقبل الدفع، يقول معاملة مرفوضة", complaint: true, services: none("spotify"), problem: "payments"},
		{name: "late notifications", text: "إشعارات الانستا صارت تتأخر ساعات", complaint: true, services: none("instagram"), problem: "notifications"},
		{name: "files", text: "التيليجرام ما يحمل الملفات، يقعد صفر بالمية", complaint: true, services: none("telegram"), problem: "media"},
		{name: "levantine arabizi not loading", text: "insta ma bi7ammel el stories 3andi", complaint: true, services: none("instagram"), problem: "media"},
		{name: "maghrebi logs out", text: "facebook kaykhrejni kol chwiya mn compte", complaint: true, services: none("facebook"), problem: "login"},
		{name: "maghrebi calls ring only", text: "whatsapp calls ma kadkhlouch, ghir kayrenn", complaint: true, services: none("whatsapp"), problem: "calls"},
		{name: "person does not reply", text: "الغسالة عطلت والسباك ما يرد على الواتس", services: none("whatsapp")},
		// Recovery.
		{name: "maghrebi recovery", text: "الانستا رجع خدام الحمد لله", recovery: true, services: none("instagram")},
		{name: "gulf recovery", text: "السناب الحين شغال، انحلت المشكلة", recovery: true, services: none("snapchat")},
		{name: "arabizi recovery", text: "el whatsapp rege3 yeshta8al, kol el rasayel wesslet", recovery: true, services: none("whatsapp")},
		// Negatives.
		{name: "own router told", text: "الفيس كان مش بيفتح، طلع الراوتر هو السبب ودلوقتي تمام", services: none("facebook")},
		{name: "thought it was down", text: "كنت فاكر الواتس واقع، طلعت الباقة خلصت", services: none("whatsapp")},
		{name: "wish gulf", text: "ودي الانستا يطيح اسبوع عشان اذاكر", services: none("instagram")},
		{name: "news msa", text: "أفادت تقارير بتعطل فيسبوك لعدة ساعات في دول عدة", services: none("facebook")},
		{name: "product complaint", text: "اليوتيوب صار كله اعلانات، ما عاد اطيقه", services: none("youtube")},
		{name: "mood", text: "انا داون اليوم، بتفرج نتفليكس وبس", services: none("netflix")},
		{name: "mocked question", text: "«السناب واقف؟» لا يا قلبي، محد يكلمك بس", services: none("snapchat")},
		{name: "negation and blame", text: "التيك توك مش واقع، المشكلة من عندك", services: none("tiktok")},
		{name: "battery", text: "بطاريتي خلصت عشان كده ما رديت على الماسنجر", services: none("messenger")},
		{name: "bank", text: "تطبيق البنك واقف والسيستم عطلان، بكلمكم على الواتس", services: none("whatsapp")},
		{name: "carrier", text: "شبكة الجوال طايحة عندنا، ما في نت ولا واتس", services: none("whatsapp")},
	})
}
