// Charts of a series: observed against expected, with the band above
// `upper` (where the detector fires) and incidents shaded, drawn with
// uPlot; each with a table of its points for screen readers.

import {h, replace, explain, num, time, formatLocal, stepWords} from './dom.js';
import {getJSON, query} from './api.js';

const C = {
  observed: '#d9480f',
  expected: '#1864ab',
  upper: '#c92a2a',
  fire: 'rgba(224, 49, 49, 0.10)',
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

// fires says whether a point is above its upper bound: what would fire.
export function fires(p) {
  return p.upper != null && p.observed != null && p.observed > p.upper;
}

// drawFiringBand shades the area above the upper series, gap by gap.
function drawFiringBand(u) {
  const [xs, , , up] = u.data;
  const {ctx} = u;
  const top = u.bbox.top;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  ctx.fillStyle = C.fire;
  let run = [];
  const flush = () => {
    if (run.length > 1) {
      ctx.beginPath();
      ctx.moveTo(run[0][0], top);
      for (const [x, y] of run) ctx.lineTo(x, y);
      ctx.lineTo(run[run.length - 1][0], top);
      ctx.closePath();
      ctx.fill();
    }
    run = [];
  };
  for (let i = 0; i < xs.length; i++) {
    if (up[i] == null) {
      flush();
      continue;
    }
    run.push([u.valToPos(xs[i], 'x', true), u.valToPos(up[i], 'y', true)]);
  }
  flush();
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
      {label: 'Upper (fires above)', stroke: C.upper, width: 1, dash: [2, 3], value: fmtY, points: {show: false}},
    ],
    axes: [
      {},
      {label: 'people per ' + stepWords(step), size: 60, values: (u, vals) => vals.map((v) => num(v))},
    ],
    cursor: {points: {show: false}},
    hooks: {drawClear: [(u) => { drawIncidents(u, spans); drawFiringBand(u); }]},
  };
  const chart = new uPlot(uopts, columns(opts.points), plotBox);
  const resize = new ResizeObserver(() => {
    const w = plotBox.clientWidth;
    if (w > 0 && Math.abs(w - chart.width) > 1) chart.setSize({width: w, height});
  });
  resize.observe(plotBox);

  const describe = (points) => {
    const firing = points.filter(fires).length;
    plotBox.setAttribute('aria-label',
      `Chart of ${points.length} points, one per ${stepWords(step)}; ${firing} above the upper bound. The table below has every point.`);
    replace(key,
      h('span', {class: 'k k-observed'}, explain.observed(step)), ' · ',
      h('span', {class: 'k k-expected'}, explain.expected(step)), ' · ',
      h('span', {class: 'k k-upper'}, explain.upper(step)), '. ',
      h('span', {class: 'k k-fire'}, 'Shaded red: would fire'),
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

function pointsTable(points, step, caption) {
  return h('div', {class: 'scroll'},
    h('table', {'data-chart-table': ''},
      h('caption', null, caption || 'Points of the chart'),
      h('thead', null, h('tr', null,
        h('th', {scope: 'col'}, 'Time (start of step)'),
        h('th', {scope: 'col', title: explain.observed(step)}, 'Observed'),
        h('th', {scope: 'col', title: explain.expected(step)}, 'Expected'),
        h('th', {scope: 'col', title: explain.upper(step)}, 'Upper'),
        h('th', {scope: 'col', title: 'Whether observed is above upper: the detector would fire'}, 'Fires'))),
      h('tbody', null, points.map((p) => h('tr', {class: fires(p) ? 'fires' : null},
        h('td', null, time(p.t)),
        h('td', null, num(p.observed)),
        h('td', null, num(p.expected)),
        h('td', null, num(p.upper)),
        h('td', null, fires(p) ? 'yes' : 'no'))))));
}

// sparkline draws a small chart of a service's last 24 h into el, with a
// table of its points for screen readers only.
export function sparkline(el, spark, name) {
  const points = (spark && spark.points) || [];
  const box = h('div', {class: 'spark-plot', 'aria-hidden': 'true'});
  const sr = h('div', {class: 'sr-only'}, pointsTable(points, spark && spark.step, `${name}: the last 24 hours`));
  replace(el, box, sr);
  if (!points.length) {
    box.appendChild(h('span', {class: 'muted'}, 'no data yet'));
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
    hooks: {drawClear: [drawFiringBand]},
  }, columns(points), box);
}

// seriesPanel shows one series of a service in el, fetching it anew on
// each show and keeping the chart when only the points changed.
export function seriesPanel(el) {
  let chart = null;
  return {
    async show({service, country, from, to, step, spans, caption}) {
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

// pickStep chooses the finest step that gives at most 720 points over
// span ms: enough detail for a chart a screen wide.
export function pickStep(span) {
  for (const [step, ms] of [['1m', 6e4], ['5m', 3e5], ['15m', 9e5], ['1h', 36e5]]) {
    if (span / ms <= 720) return step;
  }
  return '1h';
}
