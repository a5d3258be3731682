package source

import "testing"

func TestHTMLText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"<p>one<br>two<br/>three</p><p>four &amp; five &lt;b&gt;</p>", "one\ntwo\nthree\n\nfour & five <b>"},
		{`<p><span class="h-card"><a href="https://x.example/@ops" class="u-url mention">@<span>ops</span></a></span> is <a href="https://status.example/x"><span class="invisible">https://</span><span class="ellipsis">status.example/very/lo</span><span class="invisible">ng</span></a> down?</p>`,
			"@ops is https://status.example/very/long down?"},
		{"<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>", "a\n\nb"},
		{"<ul><li>x</li><li>y</li></ul>", "x\ny"},
		{"<p>unclosed <b>bold", "unclosed bold"},
	} {
		if got := htmlText(tc.in); got != tc.want {
			t.Errorf("htmlText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
