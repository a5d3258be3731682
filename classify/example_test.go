package classify_test

import (
	"fmt"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

func ExampleClassifier_Classify() {
	c, err := classify.New(classify.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, text := range []string{
		"is whatsapp down? stuck on one grey tick since 9",
		"ZAPZAP CAIU DE NOVO",
		"الانستا رجع 🙏",
		"I'm down for pizza tonight, text me on whatsapp",
	} {
		sig := c.Classify(&seismo.Post{ID: "1", Text: text})
		fmt.Printf("%s complaint=%v recovery=%v %v %q\n", sig.Lang, sig.Complaint, sig.Recovery, sig.Services, sig.Problem)
	}
	// Output:
	// en complaint=true recovery=false [whatsapp] "messages"
	// pt complaint=true recovery=false [whatsapp] "total_outage"
	// ar complaint=false recovery=true [instagram] ""
	// en complaint=false recovery=false [whatsapp] ""
}

func ExampleNormalize() {
	fmt.Println(classify.Normalize("WhatsApp DOWNNNN?? #WhatsAppDown https://x.com/a @meta"))
	fmt.Println(classify.Normalize("الواتـــساب مُعطّل"))
	// Output:
	// whatsapp down #whatsappdown
	// الواتساب معطل
}
