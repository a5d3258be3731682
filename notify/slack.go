package notify

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/seismo-dev/seismo"
)

// slackMessage is a Slack incoming-webhook message for ev: a text line for
// notifications and blocks with the service, severity, countries and a
// link to the dashboard. Everything that comes from data is escaped as
// Slack's mrkdwn requires, so it shows as text.
func slackMessage(ev seismo.Event, dashboard string) map[string]any {
	inc := ev.Data
	name := inc.ServiceName
	if name == "" {
		name = inc.Service
	}
	what := map[string]string{
		seismo.EventOpened: "outage detected", seismo.EventUpdated: "outage update",
		seismo.EventResolved: "outage resolved", EventTest: "test message",
	}[ev.Type]
	if what == "" {
		what = ev.Type
	}
	var countries []string
	for _, c := range inc.Countries {
		countries = append(countries, fmt.Sprintf("%s (%d)", c.Country, c.Reporters))
	}
	where := strings.Join(countries, ", ")
	if where == "" {
		where = "all countries together"
	}
	text := fmt.Sprintf("%s: %s, %s, %s", mrkdwn(name), what, mrkdwn(string(inc.Severity)), mrkdwn(where))
	blocks := []any{
		map[string]any{"type": "section", "text": map[string]string{"type": "mrkdwn",
			"text": fmt.Sprintf("*%s*: %s", mrkdwn(name), what)}},
		map[string]any{"type": "section", "fields": []map[string]string{
			{"type": "mrkdwn", "text": "*Severity*\n" + mrkdwn(string(inc.Severity))},
			{"type": "mrkdwn", "text": "*Status*\n" + mrkdwn(string(inc.Status))},
			{"type": "mrkdwn", "text": "*Countries*\n" + mrkdwn(where)},
			{"type": "mrkdwn", "text": "*Started*\n" + inc.StartedAt.UTC().Format("2006-01-02 15:04 UTC")},
		}},
	}
	if dashboard != "" && inc.Service != "" {
		link := strings.TrimRight(dashboard, "/") + "/incidents/" + url.PathEscape(inc.ID)
		blocks = append(blocks, map[string]any{"type": "actions", "elements": []any{map[string]any{
			"type": "button", "text": map[string]string{"type": "plain_text", "text": "Open in seismo"}, "url": link}}})
	}
	return map[string]any{"text": text, "blocks": blocks}
}

// mrkdwn escapes the three characters Slack's mrkdwn gives meaning to.
func mrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
