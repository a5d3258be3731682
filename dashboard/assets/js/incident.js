// An incident: its timeline, every country with its numbers, the
// service's series around it (?country=CC picks one), what was broken,
// sample posts, related incidents and the silence that holds it back.

import {h, replace, badge, explain, section, countryName, time, num, ratio, duration, table, empty, isoUTC} from './dom.js';
import {getJSON, notice, errorText, ApiError} from './api.js';
import {subscribe, reloader} from './live.js';
import {seriesPanel, pickStep} from './chart.js';
import {setAsOf, problemShares, samples, errorState} from './parts.js';

const HOUR = 36e5;

function readCountry(search) {
  const c = (new URLSearchParams(search).get('country') || '*').toUpperCase();
  return /^([A-Z]{2}|\*)$/.test(c) ? c : '*';
}

// timeline derives the incident's moments from its entries: when each
// country (and the global series) started, peaked and resolved.
function timeline(inc, live) {
  const rows = [];
  const add = (t, what, detail) => {
    if (t) rows.push({t: Date.parse(t), iso: t, what, detail});
  };
  add(inc.started_at, 'Incident started', inc.service_name || inc.service);
  const entries = [...(inc.global ? [inc.global] : []), ...(inc.countries || [])];
  for (const c of entries) {
    const where = countryName(c.country);
    add(c.started_at, `${where} started`, `${c.severity || ''}`.trim());
    add(c.peak_at, `${where} peaked`, `${num(c.reporters)} people complaining in 5 minutes`);
    add(c.resolved_at, `${where} resolved`, '');
  }
  add(inc.peak_at, 'Incident peaked', '');
  add(inc.resolved_at, 'Incident resolved', duration(inc.started_at, inc.resolved_at));
  for (const ev of live) add(ev.timestamp, `Event received live: ${ev.type}`, '');
  rows.sort((a, b) => a.t - b.t);
  return rows;
}

export function incidentPage(main) {
  const id = decodeURIComponent(location.pathname.split('/')[2] || '');
  let country = readCountry(location.search);
  const live = [];
  document.title = `Incident ${id} · seismo`;

  const title = h('h1');
  const facts = h('dl', {class: 'facts'});
  const silence = h('div');
  const timelineBox = h('div');
  const countriesBox = h('div');
  const picker = h('select', {id: 'country', name: 'country'});
  const chartTitle = h('h2', {id: 'chart-title'});
  const chartBox = h('div', {class: 'chart'});
  const chartNote = h('p', {class: 'muted'});
  const problemsBox = h('div');
  const samplesBox = h('div');
  const relatedBox = h('div');
  const panel = seriesPanel(chartBox);
  let built = false;

  picker.addEventListener('change', () => {
    country = picker.value;
    history.pushState(null, '', location.pathname + (country === '*' ? '' : '?country=' + encodeURIComponent(country)));
    reload();
  });
  addEventListener('popstate', () => {
    country = readCountry(location.search);
    reload();
  });

  function build() {
    replace(main,
      h('p', {class: 'crumbs'}, h('a', {href: '/'}, 'Overview'), ' / incident'),
      title, facts, silence,
      section('Countries', countriesBox),
      h('section', {class: 'card', 'aria-labelledby': 'chart-title'}, chartTitle,
        h('div', {class: 'controls'}, h('div', {class: 'country-pick'}, h('label', {for: 'country'}, 'Country '), picker)),
        chartBox, chartNote),
      section('Timeline', timelineBox),
      h('div', {class: 'two'},
        section('Problem types', problemsBox),
        section('Related incidents', relatedBox)),
      section('Sample posts', samplesBox));
    built = true;
  }

  async function load() {
    try {
      const [inc, overview] = await Promise.all([
        getJSON('/v1/incidents/' + encodeURIComponent(id)),
        getJSON('/v1/overview').catch(() => ({})),
      ]);
      const at = overview.at || inc.updated_at;
      setAsOf(overview.at);
      if (!built) build();
      const name = inc.service_name || inc.service;
      document.title = `${name} incident · seismo`;
      replace(title, h('a', {href: '/services/' + encodeURIComponent(inc.service)}, name), ' incident ',
        badge(inc.status), ' ', badge(inc.severity));
      replace(facts,
        h('dt', null, 'Id'), h('dd', null, String(inc.id)),
        h('dt', null, 'Started'), h('dd', null, time(inc.started_at)),
        h('dt', null, 'Peak'), h('dd', null, time(inc.peak_at)),
        h('dt', null, 'Resolved'), h('dd', null, inc.resolved_at ? time(inc.resolved_at) : 'not yet'),
        h('dt', {title: 'Counted to the data\'s time while the incident is open'}, 'Duration'),
        h('dd', null, duration(inc.started_at, inc.resolved_at || at)),
        h('dt', null, 'Last change'), h('dd', null, time(inc.updated_at)));
      replace(silence, inc.silenced_by
        ? h('p', {class: 'silenced'}, 'Webhooks about this incident are held back by silence ', h('code', null, String(inc.silenced_by)), '.')
        : null);

      const entries = [...(inc.global ? [inc.global] : []), ...(inc.countries || [])];
      // A resolved country's last window is the quiet one that resolved
      // it: 0 people, ×0, beside a danger badge. It is not shown, nor are
      // its columns once every country has resolved.
      const anyOpen = entries.some((c) => c.status !== 'resolved');
      const now = (c, v) => (c.status === 'resolved'
        ? h('span', {class: 'muted', title: 'Resolved: no longer counted for the incident'}, '—') : v);
      replace(countriesBox, h('p', {class: 'explain'}, anyOpen
        ? [explain.window, ', while the country is in the incident. ', explain.ratio, '. ']
        : null, explain.reporters, '.'), entries.length ? table([
        ['Country'], ['Status'], ['Severity'], ['Started'], ['Peak'], ['Resolved'],
        ...(anyOpen ? [
          ['Observed', explain.window], ['Expected', 'What is normal for this time of day and week, over the same 5 minutes'],
          ['Ratio', explain.ratio]] : []),
        ['Peak reporters', explain.reporters],
      ], entries.map((c) => [
        h('a', {href: `/services/${encodeURIComponent(inc.service)}?country=${encodeURIComponent(c.country)}`}, countryName(c.country)),
        badge(c.status), badge(c.severity), time(c.started_at), time(c.peak_at),
        c.resolved_at ? time(c.resolved_at) : 'ongoing',
        ...(anyOpen ? [now(c, num(c.observed)), now(c, num(c.expected)), now(c, ratio(c.ratio))] : []),
        num(c.reporters),
      ]), {name: 'incident-countries', caption: 'Every country of the incident, and the global series'}) : empty('No country yet.'));

      const codes = entries.map((c) => c.country).filter((c) => c !== '*');
      if (country !== '*' && !codes.includes(country)) codes.push(country);
      replace(picker, h('option', {value: '*'}, 'All countries (global)'),
        codes.map((c) => h('option', {value: c}, `${countryName(c)} (${c})`)));
      picker.value = country;

      const rows = timeline(inc, live.filter((e) => e.data && e.data.id === inc.id));
      replace(timelineBox, rows.length ? h('ol', {class: 'timeline'}, rows.map((r) =>
        h('li', null, time(r.iso), ' ', h('strong', null, r.what), r.detail ? ' · ' + r.detail : ''))) : empty('Nothing yet.'));

      replace(problemsBox, problemShares(inc.problems));
      replace(samplesBox, samples(inc.samples));
      replace(relatedBox, inc.related && inc.related.length
        ? h('ul', null, inc.related.map((r) => h('li', null, h('a', {href: '/incidents/' + encodeURIComponent(r)}, String(r)))))
        : empty('No incident of a related service overlapped this one.'));

      // The series from two hours before it started to two hours after it
      // ended, but never past the data's time.
      const from = Date.parse(inc.started_at) - 2 * HOUR;
      const end = Date.parse(inc.resolved_at || at);
      const to = Math.min(end + 2 * HOUR, Date.parse(at) || end + 2 * HOUR);
      replace(chartTitle, 'People complaining, ', countryName(country));
      const spans = [{from: Date.parse(inc.started_at), to: end}];
      try {
        const s = await panel.show({
          service: inc.service, country, from: isoUTC(from), to: isoUTC(to),
          step: pickStep(to - from), spans, caption: `${name}, ${countryName(country)}, around the incident`,
        });
        replace(chartNote, 'From ', time(s.from), ' to ', time(s.to), `, one point per ${s.step}; the incident is shaded.`);
      } catch (e) {
        replace(chartBox, empty(errorText(e, 'the series')));
        replace(chartNote);
      }
      notice(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        errorState(main, 'Unknown incident', `There is no incident “${id}”.`);
        built = false;
        return;
      }
      if (!built) errorState(main, 'Incident', errorText(e, 'this incident'), () => location.reload());
      else notice(errorText(e, 'this incident'));
      if (!(e instanceof ApiError)) console.error(e);
    }
  }

  const reload = reloader(load, 0);
  subscribe((ev) => {
    const inc = ev.data && ev.data.data;
    if (inc && inc.id === id) {
      live.push({type: ev.type, timestamp: ev.data.timestamp, data: inc});
      reload();
    } else if (ev.type === 'poll' || ev.type === 'reconnect' || ev.type === 'tick') {
      reload();
    }
  });
  reload();
}
