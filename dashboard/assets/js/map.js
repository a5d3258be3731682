// The world map: an SVG of world-atlas's countries (TopoJSON, decoded by
// topojson-client) in the Natural Earth I projection, each country
// coloured by how far above normal its worst service is right now.

import {h, s, replace, countryName, setCountryNames, explain, num, ratio, table, badge} from './dom.js';

const atlasURL = new URL('../vendor/world-atlas/countries-110m.json', import.meta.url);
const codesURL = new URL('../vendor/i18n-iso-countries/countries.json', import.meta.url);

// world-atlas leaves these without an ISO numeric id.
const byName = {'Kosovo': 'XK', 'Somaliland': 'SO', 'N. Cyprus': 'CY'};

// Ratio classes, lowest first: the legend and the fills use these.
export const levels = [
  {min: 0, label: 'normal (below ×1.5)'},
  {min: 1.5, label: '×1.5 to ×3'},
  {min: 3, label: '×3 to ×5'},
  {min: 5, label: '×5 to ×10'},
  {min: 10, label: '×10 to ×20'},
  {min: 20, label: '×20 and more'},
];

export function levelOf(r) {
  let i = 0;
  for (let k = 0; k < levels.length; k++) if (r != null && r >= levels[k].min) i = k;
  return i;
}

// naturalEarth1 projects lon/lat in degrees (Šavrič et al. 2011, the
// polynomial d3-geo uses); y grows northwards.
function naturalEarth1(lon, lat) {
  const l = (lon * Math.PI) / 180;
  const p = (lat * Math.PI) / 180;
  const p2 = p * p;
  const p4 = p2 * p2;
  return [
    l * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4))),
    p * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4))),
  ];
}

const SCALE = 160;

function ringPath(r) {
  return 'M' + r.map(([lon, lat]) => {
    const [x, y] = naturalEarth1(lon, lat);
    return (x * SCALE).toFixed(1) + ',' + (-y * SCALE).toFixed(1);
  }).join('L') + 'Z';
}

// ring draws one ring. A ring that crosses the antimeridian (Russia's
// Chukotka, Fiji) would streak across the whole map: it is drawn twice
// instead, moved a turn east and a turn west, and the map's edge clips
// each copy to its own side.
function ring(r) {
  const crosses = r.some((p, i) => i > 0 && Math.abs(p[0] - r[i - 1][0]) > 180);
  if (!crosses) return ringPath(r);
  return ringPath(r.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat])) +
    ringPath(r.map(([lon, lat]) => [lon > 0 ? lon - 360 : lon, lat]));
}

function pathOf(geometry) {
  if (geometry.type === 'Polygon') return geometry.coordinates.map(ring).join('');
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat().map(ring).join('');
  return '';
}

// sphere outlines the mapped world, 60°S to 84°N, as the ocean.
function sphere() {
  const pts = [];
  for (let lat = -60; lat <= 84; lat += 4) pts.push([-180, lat]);
  for (let lon = -180; lon <= 180; lon += 10) pts.push([lon, 84]);
  for (let lat = 84; lat >= -60; lat -= 4) pts.push([180, lat]);
  for (let lon = 180; lon >= -180; lon -= 10) pts.push([lon, -60]);
  return ringPath(pts);
}

let shapes = null;

// loadShapes fetches and projects the countries once: [{cc, name, d}].
// The overview starts it before it asks for its data, so the two load
// together.
export async function loadShapes() {
  if (!shapes) {
    shapes = (async () => {
      const [atlas, codes] = await Promise.all([fetchJSON(atlasURL), fetchJSON(codesURL)]);
      setCountryNames(codes.names);
      const fc = topojson.feature(atlas, atlas.objects.countries);
      return fc.features
        .filter((f) => f.id !== '010' && f.geometry) // Antarctica: room, not data
        .map((f) => {
          const cc = codes.numeric[f.id] || byName[f.properties && f.properties.name] || null;
          return {cc, name: (f.properties && f.properties.name) || cc, d: pathOf(f.geometry)};
        });
    })();
    shapes.catch(() => { shapes = null; });
  }
  return shapes;
}

async function fetchJSON(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: ${res.status}`);
  return res.json();
}

// worldMap fills el with the map of countries (the overview's
// `countries`), its legend and its table. href(c) is where a country's
// link goes, serviceName(id) names a service.
export async function worldMap(el, countries, {href, serviceName}) {
  const list = shapesFor(await loadShapes(), countries);
  const focused = document.activeElement && el.contains(document.activeElement)
    ? document.activeElement.getAttribute('data-cc') : null;
  // viewBox: the projected world from 60°S to 84°N.
  const [xmax] = naturalEarth1(180, 0);
  const [, ytop] = naturalEarth1(0, 84);
  const [, ybot] = naturalEarth1(0, -60);
  const vb = [-xmax * SCALE, -ytop * SCALE, 2 * xmax * SCALE, (ytop - ybot) * SCALE].map((v) => v.toFixed(0)).join(' ');
  const hot = countries.filter((c) => levelOf(c.ratio) > 0).length;
  const svg = s('svg', {viewBox: vb, class: 'map', role: 'group', 'aria-label':
    `World map: ${countries.length} countries with reports, ${hot} above normal. The table below lists them.`},
  s('defs', null, s('clipPath', {id: 'map-sphere'}, s('path', {d: sphere()}))),
  s('path', {class: 'sphere', d: sphere()}),
  s('g', {'clip-path': 'url(#map-sphere)'}, list.map(({shape, c}) => {
    const name = c ? countryName(c.country) : (shape.cc ? countryName(shape.cc) : shape.name);
    const path = s('path', {d: shape.d, class: 'land lvl-' + (c ? levelOf(c.ratio) : 'none')},
      s('title', null, c
        ? `${name}: ${ratio(c.ratio)} normal on ${serviceName(c.service)} (${num(c.observed)} people complaining in 5 minutes, ${num(c.expected)} expected)`
        : `${name}: no reports`));
    if (!c) return path;
    return s('a', {href: href(c), 'data-cc': c.country, 'aria-label': `${name}: ${ratio(c.ratio)} normal on ${serviceName(c.service)}`}, path);
  })));
  const legend = h('ul', {class: 'legend', 'aria-label': 'Map legend'},
    levels.map((l, i) => h('li', null, h('span', {class: 'swatch lvl-' + i, 'aria-hidden': 'true'}), l.label)),
    h('li', null, h('span', {class: 'swatch lvl-none', 'aria-hidden': 'true'}), 'no reports'));
  const rows = [...countries].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0)).map((c) => [
    h('a', {href: href(c)}, countryName(c.country), ' (', c.country, ')'),
    serviceName(c.service),
    num(c.observed), num(c.expected), ratio(c.ratio),
    c.level && c.level !== 'none' ? badge(c.level) : 'none',
  ]);
  replace(el,
    h('div', {class: 'map-box'}, svg),
    legend,
    h('p', {class: 'explain'}, 'Colour: how many times the usual number of people complain about the country\'s worst service over the last 5 minutes. Select a country to see that service there.'),
    h('details', {class: 'fallback'},
      h('summary', null, `The map as a table (${countries.length} countries)`),
      countries.length
        ? table([
          ['Country'], ['Worst service', 'The service with the highest ratio in the country'],
          ['Observed', explain.window], ['Expected', 'What is normal for this time of day and week, over 5 minutes'],
          ['Ratio', explain.ratio], ['Level', 'warning or danger when the service has an open incident there'],
        ], rows, {name: 'countries', caption: 'Countries by how far above normal they are'})
        : h('p', {class: 'empty'}, 'No country has reports right now.')));
  if (focused) {
    const again = el.querySelector(`a[data-cc="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function shapesFor(all, countries) {
  const by = new Map(countries.map((c) => [c.country, c]));
  return all.map((shape) => ({shape, c: shape.cc ? by.get(shape.cc) : null}));
}
