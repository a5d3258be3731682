// A service: its series (global or one country) over a range, its
// incidents, what people say is broken, in which languages, and the
// latest posts with the cues that counted them. The URL holds the view:
// ?country=CC&range=24h|7d|custom&from=…&to=….

import {h, replace, badge, explain, section, countryName, time, empty, isoUTC} from './dom.js';
import {getJSON, query, incidents, notice, errorText, ApiError} from './api.js';
import {subscribe, reloader} from './live.js';
import {seriesPanel, pickStep, MAX_SERIES} from './chart.js';
import {setAsOf, incidentsTable, problemShares, languageShares, samples, errorState} from './parts.js';

const HOUR = 36e5;
const ranges = {'24h': 24 * HOUR, '7d': 7 * 24 * HOUR};
const MAX_SPAN = MAX_SERIES; // the longest series the API gives

// readView reads the view from the URL; anything malformed falls back to
// the default (global, last 24 h).
export function readView(search) {
  const q = new URLSearchParams(search);
  let country = (q.get('country') || '*').toUpperCase();
  if (!/^([A-Z]{2}|\*)$/.test(country)) country = '*';
  let range = q.get('range') || '24h';
  let from = q.get('from');
  let to = q.get('to');
  if (range === 'custom') {
    const f = Date.parse(from);
    const t = Date.parse(to);
    if (!(f < t) || t - f > MAX_SPAN) range = '24h';
  } else if (!(range in ranges)) {
    range = '24h';
  }
  if (range !== 'custom') from = to = null;
  return {country, range, from, to};
}

export function viewQuery(v) {
  return query({
    country: v.country === '*' ? null : v.country,
    range: v.range === '24h' ? null : v.range,
    from: v.range === 'custom' ? v.from : null,
    to: v.range === 'custom' ? v.to : null,
  });
}

// localInput formats ms for a datetime-local input, in the viewer's zone.
function localInput(ms) {
  const d = new Date(ms);
  return new Date(ms - d.getTimezoneOffset() * 6e4).toISOString().slice(0, 16);
}

export function servicePage(main) {
  const id = decodeURIComponent(location.pathname.split('/')[2] || '');
  let view = readView(location.search);
  let at = null;
  let knownCountries = new Set();
  document.title = `${id} · seismo`;

  const title = h('h1');
  const subtitle = h('p', {class: 'muted'});
  const rangeButtons = Object.fromEntries(['24h', '7d', 'custom'].map((r) => [r,
    h('button', {type: 'button', 'aria-pressed': 'false', 'data-range': r,
      on: {click: () => setRange(r)}}, r === 'custom' ? 'Custom' : r === '24h' ? 'Last 24 h' : 'Last 7 days')]));
  const fromInput = h('input', {type: 'datetime-local', id: 'range-from', required: true});
  const toInput = h('input', {type: 'datetime-local', id: 'range-to', required: true});
  const customForm = h('form', {class: 'custom-range', hidden: true, 'aria-label': 'Custom range, in your time zone'},
    h('label', {for: 'range-from'}, 'From '), fromInput, ' ',
    h('label', {for: 'range-to'}, 'to '), toInput, ' ',
    h('button', {type: 'submit'}, 'Show'));
  const picker = h('select', {id: 'country', name: 'country'});
  const chartTitle = h('h2', {id: 'chart-title'});
  const chartBox = h('div', {class: 'chart'});
  const chartNote = h('p', {class: 'muted'});
  const incidentsBox = h('div');
  const problemsBox = h('div');
  const langsBox = h('div');
  const samplesBox = h('div');
  const activityNote = h('p', {class: 'muted'});
  const panel = seriesPanel(chartBox);

  customForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new Date(fromInput.value).getTime();
    const t = new Date(toInput.value).getTime();
    if (!(f < t)) {
      notice('The custom range must start before it ends.');
      return;
    }
    if (t - f > MAX_SPAN) {
      notice('The custom range can be at most 7 days.');
      return;
    }
    go({...view, range: 'custom', from: isoUTC(f), to: isoUTC(t)});
  });
  picker.addEventListener('change', () => go({...view, country: picker.value}));
  addEventListener('popstate', () => {
    view = readView(location.search);
    reload();
  });

  function setRange(r) {
    if (r === 'custom') {
      const w = windowOf(view);
      if (w) {
        fromInput.value = localInput(w.from);
        toInput.value = localInput(w.to);
      }
      customForm.hidden = false;
      markRange('custom');
      fromInput.focus();
      return;
    }
    go({...view, range: r, from: null, to: null});
  }

  // go moves to another view: a new history entry, so Back returns.
  function go(v) {
    view = readView(viewQuery(v));
    history.pushState(null, '', location.pathname + viewQuery(view));
    notice(null);
    reload();
  }

  function markRange(r) {
    for (const [k, b] of Object.entries(rangeButtons)) b.setAttribute('aria-pressed', String(k === r));
  }

  function windowOf(v) {
    if (v.range === 'custom') return {from: Date.parse(v.from), to: Date.parse(v.to)};
    if (!at) return null;
    const to = Date.parse(at);
    return {from: to - ranges[v.range], to};
  }

  let built = false;
  function build() {
    replace(main,
      h('p', {class: 'crumbs'}, h('a', {href: '/'}, 'Overview'), ' / service'),
      title, subtitle,
      h('div', {class: 'controls'},
        h('div', {role: 'group', 'aria-label': 'Range', class: 'range'}, Object.values(rangeButtons)),
        customForm,
        h('div', {class: 'country-pick'}, h('label', {for: 'country'}, 'Country '), picker)),
      h('section', {class: 'card', 'aria-labelledby': 'chart-title'}, chartTitle, chartBox, chartNote),
      section('Incidents', incidentsBox),
      h('div', {class: 'two'},
        section('Problem types', problemsBox),
        section('Languages', langsBox)),
      section('Latest posts', activityNote, samplesBox));
    built = true;
  }

  function fillPicker(countries) {
    const all = new Set([...countries, view.country].filter((c) => c !== '*'));
    const key = [...all].sort().join();
    if (picker.dataset.key !== key) {
      picker.dataset.key = key;
      const sorted = [...all].sort((a, b) => countryName(a).localeCompare(countryName(b)));
      replace(picker,
        h('option', {value: '*'}, 'All countries (global)'),
        sorted.map((c) => h('option', {value: c}, `${countryName(c)} (${c})`)));
    }
    picker.value = view.country;
  }

  async function load() {
    try {
      const overview = await getJSON('/v1/overview');
      at = overview.at || null;
      setAsOf(at);
      const svc = (overview.services || []).find((s) => s.id === id);
      const w = windowOf(view);
      const step = w ? pickStep(w.to - w.from) : null;
      const iso = (ms) => (w ? isoUTC(ms) : null);
      const actFrom = w ? Math.max(w.from, w.to - 24 * HOUR) : null;
      const [incs, activity] = await Promise.all([
        incidents({service: id}, 200),
        getJSON(`/v1/services/${encodeURIComponent(id)}/activity` +
          query({country: view.country, from: iso(actFrom), to: w ? iso(w.to) : null})),
      ]).catch((e) => {
        if (e instanceof ApiError && e.status === 404) throw e;
        if (e instanceof ApiError && e.status === 400) return [[], null];
        throw e;
      });
      if (!built) build();
      const name = (svc && svc.name) || (incs[0] && incs[0].service_name) || id;
      document.title = `${name} · seismo`;
      replace(title, name, ' ', svc ? badge(svc.status, explain.status) : null);
      replace(subtitle, svc && svc.parent ? `Part of ${svc.parent}. ` : '',
        view.country === '*' ? 'All countries.' : `In ${countryName(view.country)}.`);
      markRange(view.range);
      customForm.hidden = view.range !== 'custom';
      if (w && view.range === 'custom' && document.activeElement !== fromInput && document.activeElement !== toInput) {
        fromInput.value = localInput(w.from);
        toInput.value = localInput(w.to);
      }
      knownCountries = new Set([
        ...(overview.countries || []).map((c) => c.country),
        ...incs.flatMap((i) => (i.countries || []).map((c) => c.country)),
      ]);
      fillPicker(knownCountries);

      const shown = incs.filter((i) => view.country === '*' || (i.countries || []).some((c) => c.country === view.country));
      const spans = shown.map((i) => ({from: Date.parse(i.started_at), to: Date.parse(i.resolved_at || at || i.updated_at)}));
      replace(chartTitle, 'People complaining, ', countryName(view.country));
      // A series that fails leaves the rest of the page standing.
      try {
        const series = await panel.show({
          service: id, country: view.country, from: iso(w && w.from), to: iso(w && w.to), step, spans,
          caption: `${name}, ${countryName(view.country)}: people complaining per step against normal`,
        });
        replace(chartNote, 'From ', time(series.from), ' to ', time(series.to), `, one point per ${series.step}.`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) throw e; // no such service
        replace(chartBox, empty(errorText(e, 'the series')));
        replace(chartNote);
        if (!(e instanceof ApiError)) console.error(e);
      }
      replace(incidentsBox, incidentsTable(shown, at),
        view.country !== '*' && shown.length < incs.length
          ? h('p', {class: 'muted'}, `${incs.length - shown.length} more incidents of this service did not reach ${countryName(view.country)}.`)
          : null);
      if (activity) {
        replace(activityNote, `${activity.complaints ?? 0} complaint posts from `, time(activity.from), ' to ', time(activity.to),
          view.range === '24h' ? '.' : ' (the last 24 hours of the range at most).');
        replace(problemsBox, problemShares(activity.problems));
        replace(langsBox, languageShares(activity.languages));
        replace(samplesBox, samples(activity.samples));
      } else {
        replace(activityNote, 'No activity for this selection.');
        replace(problemsBox, empty('No problem types.'));
        replace(langsBox, empty('No languages.'));
        replace(samplesBox);
      }
      notice(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        errorState(main, 'Unknown service', `seismo does not watch a service called “${id}”.`);
        built = false;
        return;
      }
      if (!built) errorState(main, id, errorText(e, 'this service'), () => location.reload());
      else notice(errorText(e, 'this service'));
      if (!(e instanceof ApiError)) console.error(e);
    }
  }

  const reload = reloader(load, 0);
  subscribe((ev) => {
    if (ev.type === 'poll' || ev.type === 'reconnect' || ev.type === 'tick' || (ev.data && ev.data.data && ev.data.data.service === id)) reload();
  });
  history.replaceState(null, '', location.pathname + viewQuery(view));
  reload();
}
