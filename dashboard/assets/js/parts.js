// Pieces more than one page shows: shares, sample posts with their cues,
// incident lists, the event-time header.

import {h, replace, time, num, pct, problemName, langName, countryName, safeURL, badge, duration, explain, table, empty} from './dom.js';

// setAsOf shows the event time the page is drawn at in the header.
export function setAsOf(at) {
  const el = document.getElementById('asof');
  if (!el) return;
  if (!at) replace(el);
  else replace(el, h('span', {title: explain.asof}, 'Data as of '), time(at));
}

// shares draws a list of {label, complaints, share} as bars.
export function shares(items, what) {
  if (!items || !items.length) return empty(`No ${what} yet.`);
  return h('ul', {class: 'shares'}, items.map((it) => {
    const bar = h('span', {class: 'bar'});
    // A CSSOM property, not a style attribute: the CSP allows it.
    bar.style.width = Math.max(0, Math.min(1, it.share || 0)) * 100 + '%';
    return h('li', {title: `${num(it.complaints)} complaint posts, ${pct(it.share)} of all`},
      h('span', {class: 'share-label'}, it.label),
      h('span', {class: 'share-track', 'aria-hidden': 'true'}, bar),
      h('span', {class: 'share-value'}, `${pct(it.share)} (${num(it.complaints)})`));
  }));
}

export function problemShares(problems) {
  return shares((problems || []).map((p) => ({label: problemName(p.problem), complaints: p.complaints, share: p.share})), 'problem types');
}

export function languageShares(langs) {
  return shares((langs || []).map((l) => ({label: langName(l.lang), complaints: l.complaints, share: l.share})), 'languages');
}

const cueTitles = {
  service: 'Named the service',
  outage: 'Said it is down or broken',
  symptom: 'Described a symptom',
  question: 'Asked whether it is down',
  hashtag: 'An outage hashtag',
  recovery: 'Said it is back',
  negative: 'Counted against: a sign the post is not a complaint',
  problem: 'Named the problem type',
};

// samples draws sample posts, newest first, each with the cues that
// made it count. Post text is shown as text, whatever it holds.
export function samples(list) {
  if (!list || !list.length) return empty('No sample posts.');
  return h('ol', {class: 'samples'}, list.map((p) => {
    const url = safeURL(p.url);
    const lang = /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(p.lang || '') ? p.lang : null;
    return h('li', {class: 'sample'},
      h('blockquote', {class: 'post', dir: 'auto', lang}, String(p.text ?? '')),
      h('p', {class: 'meta'},
        time(p.created_at),
        p.country ? ` · ${countryName(p.country)}` : null,
        p.lang ? ` · ${langName(p.lang)}` : null,
        p.problem ? ` · ${problemName(p.problem)}` : null,
        url ? [' · ', h('a', {href: url, rel: 'noopener noreferrer nofollow', target: '_blank'}, 'original post')] : null),
      p.cues && p.cues.length
        ? h('ul', {class: 'cues', 'aria-label': 'Cues that counted this post'}, p.cues.map((c) => {
          const kind = /^[a-z]+$/.test(c.kind || '') ? c.kind : 'other';
          const title = (cueTitles[kind] || String(c.kind)) + (c.value ? `: ${c.value}` : '');
          return h('li', {class: 'chip cue-' + kind, title},
            h('span', {class: 'cue-kind'}, String(c.kind)), ' ', h('span', {class: 'cue-match'}, String(c.match ?? '')));
        }))
        : null);
  }));
}

// countriesText lists an incident's countries, the worst first, briefly.
export function countriesText(incident, max = 4) {
  const cs = [...(incident.countries || [])].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0)).map((c) => c.country);
  if (!cs.length) return incident.global ? 'global only' : 'no country yet';
  return cs.slice(0, max).join(', ') + (cs.length > max ? ` +${cs.length - max}` : '');
}

// incidentsTable lists incidents with links; at is the event-time now.
export function incidentsTable(incidents, at) {
  if (!incidents.length) return empty('No incidents.');
  return table([
    ['Incident'], ['Status'], ['Severity'], ['Started'], ['Resolved'],
    ['Duration', 'From start to resolution, or to the data\'s time when still open'], ['Countries'],
  ], incidents.map((i) => [
    h('a', {href: '/incidents/' + encodeURIComponent(i.id)}, String(i.id)),
    badge(i.status), badge(i.severity),
    time(i.started_at), i.resolved_at ? time(i.resolved_at) : 'ongoing',
    duration(i.started_at, i.resolved_at || at),
    countriesText(i),
  ]), {name: 'incidents', caption: 'Incidents, newest first'});
}

// errorState replaces the page with a message and a way on.
export function errorState(main, title, text, retry) {
  replace(main,
    h('h1', null, title),
    h('p', {class: 'empty'}, text),
    h('p', null,
      retry ? h('button', {type: 'button', on: {click: retry}}, 'Try again') : null, ' ',
      h('a', {href: '/'}, 'Back to the overview')));
}
