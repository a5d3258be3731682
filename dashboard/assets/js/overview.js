// The overview: every service with its status and last 24 h, open
// incidents first, and the world map of how far above normal each
// country is.

import {h, replace, badge, duration, explain, section, empty} from './dom.js';
import {getJSON, notice, errorText, ApiError} from './api.js';
import {subscribe, reloader} from './live.js';
import {sparkline} from './chart.js';
import {worldMap, loadShapes} from './map.js';
import {setAsOf, countriesText, errorState} from './parts.js';

// rank orders services as the API does: incidents first (danger before
// warning), then by name.
function rank(s) {
  if (!s.incident) return 2;
  return s.incident.severity === 'danger' ? 0 : 1;
}

export function overviewPage(main) {
  document.title = 'Overview · seismo';
  const svcBox = h('div');
  const mapBox = h('div', {class: 'map-wrap'}, h('p', {class: 'loading'}, 'Loading the map…'));
  let built = false;

  function build() {
    replace(main,
      h('h1', null, 'Services'),
      section('Status now', h('p', {class: 'explain'},
        'Each line: the service, its status (', h('span', {title: explain.status}, 'ok, pending, warning or danger'),
        ') and the last 24 hours of people complaining (solid) against what is normal (dashed); red where they rise above the dotted line, above which the detector fires if they stay there.'),
      svcBox),
      section('Where, right now', mapBox));
    built = true;
  }

  async function render(data) {
    setAsOf(data.at);
    if (!built) build();
    const services = [...(data.services || [])].sort((a, b) => rank(a) - rank(b) || String(a.name).localeCompare(String(b.name)));
    const names = new Map(services.map((s) => [s.id, s.name || s.id]));
    if (!services.length) {
      replace(svcBox, empty('No data yet: seismo has not evaluated a minute. Services appear once posts are counted.'));
    } else {
      replace(svcBox, h('ul', {class: 'services'}, services.map((s, idx) => serviceItem(s, idx, data.at))));
      for (const el of svcBox.querySelectorAll('[data-spark]')) {
        const s = services[Number(el.dataset.spark)];
        sparkline(el, s.spark, s.name || s.id);
      }
    }
    const countries = data.countries || [];
    try {
      await worldMap(mapBox, countries, {
        href: (c) => `/services/${encodeURIComponent(c.service)}?country=${encodeURIComponent(c.country)}`,
        serviceName: (id) => names.get(id) || String(id),
      });
    } catch (e) {
      replace(mapBox, empty('The map could not be drawn: ' + e.message));
    }
    markPainted();
  }

  // markPainted marks, once, the first frame that shows the services and
  // the map: the overview's first meaningful paint, which the benchmark
  // reads (a frame, then a task: the paint has happened by then).
  function markPainted() {
    if (performance.getEntriesByName('seismo:overview-drawn').length) return;
    performance.mark('seismo:overview-drawn');
    requestAnimationFrame(() => setTimeout(() => performance.mark('seismo:overview-painted')));
  }

  function serviceItem(s, idx, at) {
    const i = s.incident;
    return h('li', {class: 'svc st-' + (/^[a-z]+$/.test(s.status) ? s.status : 'unknown'), 'data-service': s.id},
      h('div', {class: 'svc-head'},
        h('a', {class: 'svc-name', href: '/services/' + encodeURIComponent(s.id)}, String(s.name || s.id)),
        s.parent ? h('span', {class: 'muted'}, ' ' + s.parent) : null),
      h('div', {class: 'svc-status'}, badge(s.status, explain.status)),
      h('div', {class: 'spark', 'data-spark': idx, title: 'Last 24 hours: people complaining (solid), normal (dashed), the detector fires when complaints hold above the dotted line'}),
      h('div', {class: 'svc-incident'}, i
        ? [
          h('a', {href: '/incidents/' + encodeURIComponent(i.id)}, i.status === 'pending' ? 'Pending incident' : 'Incident'),
          ' ', badge(i.severity),
          h('span', {title: 'Countries of the incident, the worst first'}, ' ' + countriesText(i)),
          h('span', {class: 'muted', title: 'Since the incident started, counted to the data\'s time'}, ' · ' + duration(i.started_at, at)),
        ]
        : h('span', {class: 'muted'}, 'No incident')));
  }

  loadShapes().catch(() => {}); // worldMap reports a failure
  const load = async () => {
    try {
      await render(await getJSON('/v1/overview'));
      notice(null);
    } catch (e) {
      if (!built) {
        errorState(main, 'Overview', errorText(e, 'the overview'), () => location.reload());
      } else {
        notice(errorText(e, 'the overview'));
      }
      if (!(e instanceof ApiError)) console.error(e);
    }
  };
  const reload = reloader(load);
  subscribe((ev) => {
    if (ev.type === 'poll' && ev.overview) {
      render(ev.overview).then(() => notice(null), (e) => console.error(e));
    } else {
      reload();
    }
  });
  load();
}
