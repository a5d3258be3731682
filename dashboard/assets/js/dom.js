// DOM building and formatting. Everything the API sends is hostile text
// (posts above all), so nodes are built here with createElement and
// createTextNode only: no HTML parsing of data, no inline handlers, anywhere.

const SVG_NS = 'http://www.w3.org/2000/svg';

// h builds an element. attrs: class, text-free attributes (set with
// setAttribute), `on` (a map of listeners, added with addEventListener)
// and `props` (DOM properties such as value or checked). Children are
// nodes, strings (made text nodes), arrays, or null/false (skipped).
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// s builds an SVG element the same way.
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'on') {
      for (const [type, fn] of Object.entries(v)) el.addEventListener(type, fn);
    } else if (k === 'props') {
      for (const [name, value] of Object.entries(v)) {
        if (/html|^on/i.test(name)) throw new Error('dom: property ' + name + ' is not allowed');
        el[name] = value;
      }
    } else if (/^on|html/i.test(k) || k === 'style') {
      // Handlers and inline styles are refused by the CSP anyway; a
      // mistake should fail loudly here rather than silently there.
      throw new Error('dom: attribute ' + k + ' is not allowed');
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// replace empties el and fills it with children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// safeURL returns u when it is an absolute http(s) URL, else null: post
// URLs come from the posts, and a javascript: URL in a link would run.
export function safeURL(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

// What every number means, in the words the pages use in titles and
// captions.
export const explain = {
  observed: (step) => `Observed: distinct people complaining per ${stepWords(step)}`,
  expected: (step) => `Expected: what is normal for this time of day and week, per ${stepWords(step)}`,
  upper: (step) => `Upper: held above this line for a detection window, the detector fires (per ${stepWords(step)})`,
  ratio: 'Ratio: observed divided by expected; 1 is normal, 10 is ten times the usual complaints',
  window: 'Counted over the detection window (the last 5 minutes): distinct people complaining',
  reporters: 'Reporters: the most distinct people complaining in one detection window during the incident',
  status: 'ok: nothing unusual; pending: above normal, not yet long enough to open an incident; warning and danger: an open incident of that severity',
  asof: "Event time: the detector's last evaluated minute. Ages and ranges count from here, not from your clock.",
};

export function stepWords(step) {
  const m = /^(\d+)([mh])$/.exec(step || '');
  if (!m) return step || 'step';
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 'minute' : 'hour';
  return n === 1 ? unit : `${n} ${unit}s`;
}

// Times: shown in the viewer's zone, with UTC on hover.
const localFmt = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const utcFmt = new Intl.DateTimeFormat('en-GB', {dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC'});

export function time(iso) {
  if (!iso) return h('span', {class: 'muted'}, '—');
  const d = new Date(iso);
  if (isNaN(d)) return h('span', {class: 'muted'}, String(iso));
  return h('time', {datetime: d.toISOString(), title: utcFmt.format(d) + ' UTC'}, localFmt.format(d));
}

export function formatLocal(ms) {
  return localFmt.format(new Date(ms));
}

// duration says how long from a to b (ms or ISO) in words: "2 h 5 min".
export function duration(a, b) {
  const ms = toMs(b) - toMs(a);
  if (!isFinite(ms)) return '—';
  const min = Math.max(0, Math.round(ms / 60000));
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} h ${min % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function toMs(t) {
  return typeof t === 'number' ? t : Date.parse(t);
}

const intFmt = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
const decFmt = new Intl.NumberFormat(undefined, {maximumFractionDigits: 1});
const pctFmt = new Intl.NumberFormat(undefined, {style: 'percent', maximumFractionDigits: 0});

export function num(n) {
  if (n == null || !isFinite(n)) return '—';
  return Math.abs(n) >= 100 || Number.isInteger(n) ? intFmt.format(n) : decFmt.format(n);
}

export function ratio(r) {
  if (r == null || !isFinite(r)) return '—';
  return '×' + (r >= 100 ? intFmt.format(r) : decFmt.format(r));
}

export function pct(x) {
  return x == null || !isFinite(x) ? '—' : pctFmt.format(x);
}

const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, {type: 'region'}) : null;
const langNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, {type: 'language'}) : null;
let fallbackNames = {};

// setCountryNames gives the English names to use where the browser has
// no Intl.DisplayNames.
export function setCountryNames(names) {
  fallbackNames = names || {};
}

export function countryName(cc) {
  if (cc === '*') return 'All countries';
  if (cc === 'ZZ') return 'Unknown country';
  if (!/^[A-Z]{2}$/.test(cc || '')) return String(cc);
  try {
    const n = regionNames && regionNames.of(cc);
    if (n && n !== cc) return n;
  } catch {
    // an unassigned code: fall through
  }
  return fallbackNames[cc] || cc;
}

export function langName(code) {
  if (!code) return 'Unknown';
  try {
    return (langNames && langNames.of(code)) || code;
  } catch {
    return String(code);
  }
}

const problemLabels = {
  messages: 'Messages', connection: 'Connection', login: 'Login', app_crash: 'App crash',
  server_error: 'Server error', calls: 'Calls', media: 'Media', feed: 'Feed',
  notifications: 'Notifications', payments: 'Payments', total_outage: 'Total outage',
};

export function problemName(p) {
  return problemLabels[p] || (p ? String(p).replace(/_/g, ' ') : 'Unspecified');
}

// badge shows a status or severity as text with a class for its colour.
export function badge(word, title) {
  const w = String(word || 'unknown');
  return h('span', {class: 'badge b-' + (/^[a-z]+$/.test(w) ? w : 'unknown'), title: title || null}, w);
}

// table builds a table: cols are [label, title] pairs, rows arrays of
// cells (nodes or text). opts: caption, class, rowClass(row, i).
export function table(cols, rows, opts = {}) {
  return h('div', {class: 'scroll'},
    h('table', {class: opts.class || null, 'data-table': opts.name || null},
      opts.caption ? h('caption', null, opts.caption) : null,
      h('thead', null, h('tr', null, cols.map(([label, title]) => h('th', {scope: 'col', title: title || null}, label)))),
      h('tbody', null, rows.map((cells, i) =>
        h('tr', {class: opts.rowClass ? opts.rowClass(i) : null}, cells.map((c) => h('td', null, c))))),
    ));
}

// section is a titled part of a page.
export function section(title, ...children) {
  const id = 'sec-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', {class: 'card', 'aria-labelledby': id}, h('h2', {id}, title), ...children);
}

export function empty(text) {
  return h('p', {class: 'empty'}, text);
}

// isoUTC formats ms as RFC 3339 in UTC, without the milliseconds a
// minute-aligned API never needs.
export function isoUTC(ms) {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
