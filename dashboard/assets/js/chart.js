// Charts of a series: observed against expected and upper (the rate that
// fires when held), with what rises above upper and incidents shaded,
// drawn with uPlot; each with a table of its points for screen readers.

import {h, replace, explain, num, time, formatLocal, stepWords, isoUTC} from './dom.js';
import {getJSON, query} from './api.js';

const C = {
  observed: '#d9480f',
  expected: '#1864ab',
  upper: '#c92a2a',
  fire: 'rgba(224, 49, 49, 0.35)',
  incident: 'rgba(95, 61, 196, 0.13)',
  incidentEdge: 'rgba(95, 61, 196, 0.55)',
};

// columns turns API points into uPlot's columns (seconds on x).
function columns(points) {
  const xs = [], obs = [], exp = [], up = [];
  for (const p of points) {
    xs.push(Date.parse(p.t) / 1000);
    obs.push(p.observed ?? null);
    exp.push(p.expected ?? null);
    up.push(p.upper ?? null);
  }
  return [xs, obs, exp, up];
}

// above says whether a point is above its upper bound: held over a
// detection window, a count like it fires.
export function above(p) {
  return p.upper != null && p.observed != null && p.observed > p.upper;
}

// drawExcess shades where observed rises above upper: between the two
// lines, only there. (Shading everything above upper paints the whole plot
// red whenever the outage sets the scale, quiet services included.)
function drawExcess(u) {
  const [xs, obs, , up] = u.data;
  const {ctx} = u;
  const {left, top, width, height} = u.bbox;
  const bottom = top + height;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.fillStyle = C.fire;
  const x = (i) => u.valToPos(xs[i], 'x', true);
  const y = (v) => u.valToPos(v, 'y', true);
  // Runs of points that have both lines, each filled as the part above
  // upper of the area under observed.
  let start = -1;
  const flush = (end) => {
    if (start >= 0 && end - start > 1 && obs.slice(start, end).some((v, k) => v > up[start + k])) {
      ctx.save();
      ctx.beginPath();
      ctx.moveTo(x(start), bottom);
      for (let i = start; i < end; i++) ctx.lineTo(x(i), y(obs[i]));
      ctx.lineTo(x(end - 1), bottom);
      ctx.closePath();
      ctx.clip();
      ctx.beginPath();
      ctx.moveTo(x(start), top);
      for (let i = start; i < end; i++) ctx.lineTo(x(i), y(up[i]));
      ctx.lineTo(x(end - 1), top);
      ctx.closePath();
      ctx.fill();
      ctx.restore();
    }
    start = -1;
  };
  for (let i = 0; i < xs.length; i++) {
    if (up[i] == null || obs[i] == null) flush(i);
    else if (start < 0) start = i;
  }
  flush(xs.length);
  ctx.restore();
}

function drawIncidents(u, spans) {
  if (!spans.length) return;
  const {ctx} = u;
  const {left, top, width, height} = u.bbox;
  ctx.save();
  for (const sp of spans) {
    const x0 = Math.max(left, u.valToPos(sp.from / 1000, 'x', true));
    const x1 = Math.min(left + width, u.valToPos(sp.to / 1000, 'x', true));
    if (x1 <= left || x0 >= left + width) continue;
    ctx.fillStyle = C.incident;
    ctx.fillRect(x0, top, Math.max(x1 - x0, 2), height);
    ctx.fillStyle = C.incidentEdge;
    ctx.fillRect(x0, top, Math.max(1, devicePixelRatio), height);
  }
  ctx.restore();
}

// seriesChart draws a series into el and returns {update, destroy}.
// opts: points, step, incidents ([{from, to, label}] in ms), caption.
export function seriesChart(el, opts) {
  let spans = opts.incidents || [];
  const step = opts.step;
  const plotBox = h('div', {class: 'plot', role: 'img'});
  const key = h('p', {class: 'explain'});
  const fallback = h('details', {class: 'fallback'});
  replace(el, plotBox, key, fallback);
  const height = opts.height || 300;
  const fmtY = (u, v) => (v == null ? '—' : num(v));
  const uopts = {
    width: Math.max(280, plotBox.clientWidth || el.clientWidth || 600),
    height,
    scales: {x: {time: true}, y: {range: (u, min, max) => [0, Math.max(4, max * 1.1)]}},
    series: [
      {value: (u, v) => (v == null ? '—' : formatLocal(v * 1000))},
      {label: 'Observed', stroke: C.observed, width: 2, fill: 'rgba(217, 72, 15, 0.08)', value: fmtY, points: {show: false}},
      {label: 'Expected', stroke: C.expected, width: 1.5, dash: [6, 4], value: fmtY, points: {show: false}},
      {label: 'Upper', stroke: C.upper, width: 1, dash: [2, 3], value: fmtY, points: {show: false}},
    ],
    axes: [
      {},
      {label: 'people per ' + stepWords(step), size: 60, values: (u, vals) => vals.map((v) => num(v))},
    ],
    cursor: {points: {show: false}},
    hooks: {drawClear: [(u) => { drawIncidents(u, spans); drawExcess(u); }]},
  };
  const chart = new uPlot(uopts, columns(opts.points), plotBox);
  const resize = new ResizeObserver(() => {
    const w = plotBox.clientWidth;
    if (w > 0 && Math.abs(w - chart.width) > 1) chart.setSize({width: w, height});
  });
  resize.observe(plotBox);

  const describe = (points) => {
    const over = points.filter(above).length;
    plotBox.setAttribute('aria-label',
      `Chart of ${points.length} points, one per ${stepWords(step)}; ${over} above the upper bound. The table below has every point.`);
    replace(key,
      h('span', {class: 'k k-observed'}, explain.observed(step)), ' · ',
      h('span', {class: 'k k-expected'}, explain.expected(step)), ' · ',
      h('span', {class: 'k k-upper'}, explain.upper(step)), '. ',
      h('span', {class: 'k k-fire'}, 'Shaded red: observed above upper'),
      spans.length ? [' · ', h('span', {class: 'k k-incident'}, 'Shaded violet: incidents of this service')] : null);
    replace(fallback,
      h('summary', null, `The chart as a table (${points.length} points)`),
      pointsTable(points, step, opts.caption));
  };
  describe(opts.points);

  return {
    step,
    update(points, incidents) {
      if (incidents) spans = incidents;
      chart.setData(columns(points));
      describe(points);
    },
    destroy() {
      resize.disconnect();
      chart.destroy();
    },
  };
}

// pointsTable is a chart's points as a table. brief writes each time as
// the local clock alone: a sparkline's table spans a day, and formatting
// a full date twice in each of the overview's two thousand rows cost most
// of its first paint.
function pointsTable(points, step, caption, brief) {
  const when = brief ? clock : time;
  return h('div', {class: 'scroll'},
    h('table', {'data-chart-table': ''},
      h('caption', null, caption || 'Points of the chart'),
      h('thead', null, h('tr', null,
        h('th', {scope: 'col'}, 'Time (start of step)'),
        h('th', {scope: 'col', title: explain.observed(step)}, 'Observed'),
        h('th', {scope: 'col', title: explain.expected(step)}, 'Expected'),
        h('th', {scope: 'col', title: explain.upper(step)}, 'Upper'),
        h('th', {scope: 'col', title: 'Whether observed is above upper: held over a detection window, the detector fires'}, 'Above upper'),
        h('th', {scope: 'col', title: 'What the detector decided in the step, over all its windows: none, warning or danger'}, 'Detector'))),
      h('tbody', null, points.map((p) => h('tr', {class: above(p) ? 'above' : null},
        h('td', null, when(p.t)),
        h('td', null, num(p.observed)),
        h('td', null, num(p.expected)),
        h('td', null, num(p.upper)),
        h('td', null, above(p) ? 'yes' : 'no'),
        h('td', null, p.level || 'none'))))));
}

// sparkline draws a small chart of a service's last 24 h into el, with a
// table of its points for screen readers only.
export function sparkline(el, spark, name) {
  const points = (spark && spark.points) || [];
  const box = h('div', {class: 'spark-plot', 'aria-hidden': 'true'});
  const sr = h('div', {class: 'sr-only'});
  replace(el, box, sr);
  // The tables of all sparklines are two thousand rows: laid out before
  // the first frame, they held the overview's first paint back by a
  // quarter of a second. They follow it instead, when the page is idle.
  later(() => replace(sr, pointsTable(points, spark && spark.step, `${name}: the last 24 hours`, true)));
  if (!points.length) {
    box.appendChild(h('span', {class: 'muted'}, 'no data yet'));
    return;
  }
  // A service nobody mentioned all day has no baseline to draw against:
  // a flat line of zeros would look like a measured calm.
  if (points.every((p) => !p.observed && p.expected == null)) {
    box.appendChild(h('span', {class: 'muted', title: 'No complaints about this service were counted in the last 24 hours'}, 'no reports in 24 h'));
    return;
  }
  new uPlot({
    width: 160,
    height: 40,
    pxAlign: false,
    cursor: {show: false},
    legend: {show: false},
    select: {show: false},
    scales: {x: {time: true}, y: {range: (u, min, max) => [0, Math.max(2, max * 1.05)]}},
    axes: [{show: false}, {show: false}],
    series: [
      {},
      {stroke: C.observed, width: 1.5, fill: 'rgba(217, 72, 15, 0.12)', points: {show: false}},
      {stroke: C.expected, width: 1, dash: [3, 2], points: {show: false}},
      {stroke: C.upper, width: 0.75, dash: [1, 2], points: {show: false}},
    ],
    hooks: {drawClear: [drawExcess]},
  }, columns(points), box);
}

// seriesPanel shows one series of a service in el, fetching it anew on
// each show and keeping the chart when only the points changed.
export function seriesPanel(el) {
  let chart = null;
  return {
    async show({service, country, from, to, step, spans, caption}) {
      from = fitFrom(from, to, step);
      const data = await getJSON(`/v1/series/${encodeURIComponent(service)}${query({country, from, to, step})}`);
      const points = data.points || [];
      if (!points.length) {
        if (chart) chart.destroy();
        chart = null;
        replace(el, h('p', {class: 'empty'}, 'No data in this range yet.'));
        return data;
      }
      if (chart && chart.step === data.step && el.contains(el.querySelector('.plot'))) {
        chart.update(points, spans);
      } else {
        if (chart) chart.destroy();
        chart = seriesChart(el, {points, step: data.step, incidents: spans, caption});
      }
      return data;
    },
  };
}

const stepMs = {'1m': 6e4, '5m': 3e5, '15m': 9e5, '1h': 36e5};

// MAX_SERIES is the longest series the API gives: seven days.
export const MAX_SERIES = 7 * 24 * 36e5;

// fitFrom returns the start to ask a series from. The API answers whole
// steps, from's step to to's, and at most seven days of them: seven days
// from a time inside a step would be one step too many, so such a range
// starts at the next step instead.
export function fitFrom(from, to, step) {
  const ms = stepMs[step];
  const f = Date.parse(from);
  const t = Date.parse(to);
  if (!ms || !(f < t)) return from;
  if (Math.ceil(t / ms) * ms - Math.floor(f / ms) * ms <= MAX_SERIES) return from;
  return isoUTC(Math.ceil(f / ms) * ms);
}

// pickStep chooses the finest step that gives at most 720 points over
// span ms: enough detail for a chart a screen wide.
export function pickStep(span) {
  for (const [step, ms] of [['1m', 6e4], ['5m', 3e5], ['15m', 9e5], ['1h', 36e5]]) {
    if (span / ms <= 720) return step;
  }
  return '1h';
}

// clock is a time as the viewer's local hours and minutes, in a <time>
// element that carries the instant.
function clock(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return h('time', {datetime: iso}, pad(d.getHours()) + ':' + pad(d.getMinutes()));
}

// later runs f when the page is idle, and within half a second.
function later(f) {
  if (window.requestIdleCallback) requestIdleCallback(f, {timeout: 500});
  else setTimeout(f, 50);
}
