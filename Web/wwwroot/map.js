// TwinCity live map.
//
// Leaflet (window.L) and the SignalR client (window.signalR) are loaded by index.html from
// lib/, which the build copies from npm packages. The page:
//   - loads the city (/api/v1/city): centre, bounds, bus routes, an optional tile layer;
//   - watches the visible part of the city over the hub /hubs/city (WatchArea / UnwatchArea)
//     and keeps one marker per twin, updated from `twinChanged`;
//   - shows one twin in a side panel, live through WatchTwin / `twinDocument`;
//   - lists fired rules (`ruleFired`) as alerts and polls city-wide counts.
// Fixed devices are drawn on one canvas (thousands of DOM markers would crawl); only buses,
// which move and rotate, and the few pulsing alarms are DOM markers.

const L = window.L;
const signalR = window.signalR;

// ---- constants --------------------------------------------------------------------------

const KINDS = [
  { kind: 'streetlights', label: 'Streetlights', color: '#fde047' },
  { kind: 'water-meters', label: 'Water meters', color: '#3b82f6' },
  { kind: 'road-sensors', label: 'Road sensors', color: '#2dd4bf' },
  { kind: 'buses', label: 'Buses', color: '#f97316' },
];
const KIND = Object.fromEntries(KINDS.map((k) => [k.kind, k]));
const ROUTE_COLORS = ['#f97316', '#a78bfa', '#f472b6', '#34d399', '#fbbf24', '#60a5fa', '#f87171', '#a3e635', '#e879f9', '#22d3ee'];

const WATCH_DEBOUNCE_MS = 300;
const STATS_EVERY_MS = 5000;
const BUS_ANIMATION_MS = 1000;
const HISTORY_WINDOW_MS = 60 * 60 * 1000;
const MAX_ALERTS = 200;
const KEY_STORE = 'twincity.apiKey';
// Reported flags that mean something is wrong: shown in red in the panel when true.
const ALARM_PROPS = new Set(['lampFault', 'leak', 'burst', 'backflow', 'incident', 'hazard', 'dark']);
const FILTER_STORE = 'twincity.hiddenKinds';

// The property whose history is drawn as a sparkline, by kind (first one present wins).
const SPARK_PROPS = {
  streetlights: ['dimLevel', 'powerW'],
  'water-meters': ['flowM3h', 'volumeM3'],
  'road-sensors': ['vehicleCount', 'meanSpeedKmh', 'occupancyPct'],
  buses: ['speedKmh', 'occupancyPct'],
};

// ---- small helpers ----------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

/** Builds an element; text children are set as text, never parsed as HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function storageGet(name) {
  try { return localStorage.getItem(name); } catch { return null; }
}

function storageSet(name, value) {
  try { localStorage.setItem(name, value); } catch { /* private mode: the setting lasts this page only */ }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const numberFormat = new Intl.NumberFormat('en-US');

function formatValue(v, digits = 3) {
  if (v == null) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(digits)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function ago(iso) {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 0) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleString();
}

/** A relative time that the ticker below keeps fresh; the absolute time is its tooltip. */
function timeEl(iso, cls = 't') {
  return h('span', { class: cls, 'data-at': iso ?? '', title: iso ? new Date(iso).toLocaleString() : null }, ago(iso));
}

setInterval(() => {
  for (const el of document.querySelectorAll('[data-at]')) {
    if (el.dataset.at) el.textContent = ago(el.dataset.at);
  }
}, 1000);

// ---- API key and REST -------------------------------------------------------------------

let apiKey = storageGet(KEY_STORE) || 'dev-city';

class HttpError extends Error {
  constructor(status, text) {
    super(`${status} ${text}`);
    this.status = status;
  }
}

async function api(path) {
  const response = await fetch(path, { headers: { 'X-Api-Key': apiKey, Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new HttpError(response.status, response.statusText);
  return response.json();
}

// ---- the map ----------------------------------------------------------------------------

const map = L.map('map', {
  preferCanvas: true,
  zoomSnap: 0.25,
  zoomDelta: 0.5,
  wheelPxPerZoomLevel: 90,
  minZoom: 3,
  maxZoom: 19,
  attributionControl: true,
}).setView([0, 0], 3);
L.control.scale({ imperial: false }).addTo(map);

// Panes, bottom to top: streets, routes, alarm pulses, devices (one canvas), the selection ring;
// buses are DOM markers in Leaflet's marker pane above all of them.
for (const [pane, z] of [['streets', 250], ['routes', 350], ['alarms', 440], ['devices', 450], ['selection', 460]]) {
  map.createPane(pane).style.zIndex = String(z);
}
map.getPane('alarms').style.pointerEvents = 'none';
map.getPane('selection').style.pointerEvents = 'none';

// `tolerance` widens the clickable area of the small canvas markers.
const deviceRenderer = L.canvas({ pane: 'devices', padding: 0.3, tolerance: 4 });

/**
 * A canvas marker that can be a circle, diamond, square or triangle. Leaflet's canvas renderer
 * only draws circles for point markers; this draws the other shapes with the renderer's own
 * context and fill/stroke step (private API of the pinned Leaflet 1.9.4), and keeps the circle's
 * hit test, which is close enough for shapes of the same radius.
 */
const ShapeMarker = L.CircleMarker.extend({
  options: { shape: 'circle' },
  _updatePath() {
    const renderer = this._renderer;
    const shape = this.options.shape;
    if (shape === 'circle' || !renderer._ctx) {
      renderer._updateCircle(this);
      return;
    }
    if (!renderer._drawing || this._empty()) return;
    const ctx = renderer._ctx;
    const { x, y } = this._point;
    const r = Math.max(this._radius, 1);
    ctx.beginPath();
    if (shape === 'diamond') {
      ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y);
    } else if (shape === 'square') {
      const s = r * 0.8;
      ctx.rect(x - s, y - s, 2 * s, 2 * s);
    } else {
      ctx.moveTo(x, y - r); ctx.lineTo(x + r * 0.95, y + r * 0.7); ctx.lineTo(x - r * 0.95, y + r * 0.7);
    }
    ctx.closePath();
    renderer._fillStroke(ctx, this);
  },
});

const hiddenKinds = new Set(JSON.parse(storageGet(FILTER_STORE) || '[]'));
const groups = {};   // kind → FeatureGroup of its markers
const pulses = {};   // kind → LayerGroup of its pulsing alarm rings
for (const { kind } of KINDS) {
  groups[kind] = L.featureGroup();
  pulses[kind] = L.layerGroup();
  if (!hiddenKinds.has(kind)) {
    groups[kind].addTo(map);
    pulses[kind].addTo(map);
  }
  groups[kind].on('click', (ev) => {
    const twin = (ev.propagatedFrom ?? ev.layer)?.twin;
    if (twin) select(twin.kind, twin.id);
  });
}

// One shared hover tooltip for the canvas markers, instead of one per marker.
const hoverTip = L.tooltip({ className: 'twin-tip', direction: 'top', offset: [0, -8], opacity: 1 });
for (const kind of ['streetlights', 'water-meters', 'road-sensors']) {
  groups[kind].on('mouseover', (ev) => {
    const layer = ev.propagatedFrom ?? ev.layer;
    hoverTip.setLatLng(layer.getLatLng()).setContent(tipContent(layer.twin));
    map.openTooltip(hoverTip);
  });
  groups[kind].on('mouseout', () => map.closeTooltip(hoverTip));
}

function tipContent(twin) {
  const v = twin.values ?? {};
  const bits = Object.entries(v)
    .filter(([name]) => !['rssi', 'snr', 'lat', 'lon'].includes(name))
    .slice(0, 4)
    .map(([name, value]) => `${name} ${formatValue(value)}`);
  return h('div', null, h('b', null, twin.id), ` · ${twin.status}`, bits.length ? h('br') : null, bits.join(' · '));
}

// The ring around the selected twin.
const selectionRing = L.circleMarker([0, 0], {
  pane: 'selection', renderer: L.svg({ pane: 'selection' }), radius: 13, color: '#38bdf8', weight: 2.5, fill: false, interactive: false,
});

// ---- twins and their markers ------------------------------------------------------------

/** "kind/id" → { kind, id, key, status, values, version, lat, lon, at, layer, pulse }. */
const twins = new Map();
let selected = null;       // { kind, id, key, doc }
let cityExtent = null;     // L.LatLngBounds: the city's bounds, routes and streets, padded
let watched = null;        // the area the hub is watching for us now
const routeColors = new Map();
const streetLines = [];    // { width: share of the street's width, line }

/** A twin summary, an event or a whole document, as one shape. */
function normalize(s) {
  if (!s || typeof s !== 'object') return null;
  let values = s.values;
  if (!values && s.reported && typeof s.reported === 'object') {
    values = Object.fromEntries(Object.entries(s.reported)
      .map(([name, r]) => [name, r && typeof r === 'object' && 'value' in r ? r.value : r]));
  }
  return {
    kind: s.kind,
    id: s.id,
    version: isNum(s.version) ? s.version : 0,
    status: String(s.status ?? 'unknown').toLowerCase(),
    values: values ?? {},
    lat: s.lat ?? s.position?.lat ?? values?.lat,
    lon: s.lon ?? s.position?.lon ?? values?.lon,
    at: s.at ?? s.lastSeen ?? null,
  };
}

function inBox(box, lat, lon) {
  return box && lat >= box.minLat && lat <= box.maxLat && lon >= box.minLon && lon <= box.maxLon;
}

/**
 * Applies a summary or a change. `live` is true for pushed events: a twin that the event puts
 * outside the watched area is dropped, because the hub will not tell us about it any more.
 */
function upsert(summary, live) {
  const n = normalize(summary);
  if (!n || !KIND[n.kind] || !n.id) return;
  const key = `${n.kind}/${n.id}`;
  let twin = twins.get(key);
  if (twin && n.version < twin.version) return; // an older state than the one shown

  if (!isNum(n.lat) || !isNum(n.lon)) {
    if (!twin) return;
    n.lat = twin.lat;
    n.lon = twin.lon;
  }
  if (live && watched && !inBox(watched, n.lat, n.lon) && key !== selected?.key) {
    if (twin) removeTwin(twin);
    return;
  }

  if (!twin) {
    twin = { kind: n.kind, id: n.id, key, values: {}, version: -1, rot: null };
    twins.set(key, twin);
  }
  const previous = { lat: twin.lat, lon: twin.lon };
  twin.values = { ...twin.values, ...n.values };
  twin.status = n.status;
  twin.version = n.version;
  twin.at = n.at ?? twin.at;
  twin.lat = n.lat;
  twin.lon = n.lon;

  if (twin.kind === 'buses') drawBus(twin, previous);
  else drawDevice(twin);
  scheduleCounts();
}

function removeTwin(twin) {
  groups[twin.kind].removeLayer(twin.layer);
  if (twin.pulse) pulses[twin.kind].removeLayer(twin.pulse);
  animations.delete(twin.key);
  twins.delete(twin.key);
  scheduleCounts();
}

/** Shape, size and colours of a fixed device from its kind, values and connectivity. */
function deviceStyle(twin) {
  const v = twin.values;
  let style;
  let pulse = null;
  switch (twin.kind) {
    case 'streetlights': {
      const dim = isNum(v.dimLevel) ? Math.min(100, Math.max(0, v.dimLevel)) : 100;
      const on = v.on === true || (v.on === undefined && isNum(v.dimLevel) && v.dimLevel > 0);
      if (on) {
        // Brighter and larger with the dim level; the wide faint stroke is the lamp's glow.
        style = { radius: 2.8 + 2.4 * dim / 100, fillColor: '#fde047', fillOpacity: 0.35 + 0.65 * dim / 100, color: '#facc15', weight: 2 + 4 * dim / 100, opacity: 0.22 };
      } else if (v.on === false) {
        style = { radius: 2.8, fillColor: '#64748b', fillOpacity: 0.85, color: '#0b1220', weight: 1, opacity: 0.6 };
      } else {
        // Never reported: a pale ring, so that a fresh city still reads as its streets of lamps.
        style = { radius: 2.8, fillColor: '#c8b46a', fillOpacity: 0.35, color: '#c8b46a', weight: 1, opacity: 0.7 };
      }
      if (v.lampFault === true) Object.assign(style, { color: '#ef4444', weight: 2.5, opacity: 1, radius: Math.max(style.radius, 5) });
      break;
    }
    case 'water-meters': {
      if (v.leak === true || v.burst === true || v.backflow === true) {
        style = { shape: 'diamond', radius: 7, fillColor: '#ef4444', fillOpacity: 1, color: '#fee2e2', weight: 1.5, opacity: 1 };
        pulse = 'bad';
      } else if (v.valve === 'closed') {
        style = { shape: 'diamond', radius: 5, fillColor: '#1e3a8a', fillOpacity: 1, color: '#93c5fd', weight: 1.5, opacity: 1 };
      } else {
        style = { shape: 'diamond', radius: 4.5, fillColor: '#3b82f6', fillOpacity: 0.9, color: '#0b1220', weight: 1, opacity: 0.7 };
      }
      break;
    }
    default: { // road sensors
      if (v.incident === true) {
        style = { shape: 'triangle', radius: 9, fillColor: '#ef4444', fillOpacity: 1, color: '#fff1f2', weight: 1.5, opacity: 1 };
        pulse = 'bad';
      } else if (v.hazard === true || v.dark === true) {
        style = { shape: 'square', radius: 6.5, fillColor: '#fb923c', fillOpacity: 1, color: '#0b1220', weight: 1, opacity: 0.8 };
        pulse = 'warn';
      } else {
        const fill = v.parkingOccupied === true ? '#0f766e' : '#2dd4bf';
        style = { shape: 'square', radius: 4.5, fillColor: fill, fillOpacity: 0.9, color: '#0b1220', weight: 1, opacity: 0.7 };
      }
    }
  }
  // Smaller markers when zoomed out, where the city's thousands of devices crowd each other.
  const scale = zoomScale();
  style.radius *= scale;
  style.weight *= scale;
  // Offline twins fade; twins that never reported (unknown) a little.
  const fade = twin.status === 'offline' ? 0.28 : twin.status === 'unknown' ? 0.8 : 1;
  style.opacity *= fade;
  style.fillOpacity *= fade;
  if (twin.status === 'offline') pulse = null;
  return { style: { shape: 'circle', ...style }, pulse };
}

function zoomScale() {
  const z = map.getZoom();
  return z >= 16 ? 1.15 : z >= 15 ? 1 : z >= 14 ? 0.9 : z >= 13 ? 0.8 : 0.65;
}

// Marker sizes depend on the zoom: restyle the fixed devices when it changes.
let lastScale = 0;
map.on('zoomend', () => {
  if (zoomScale() === lastScale) return;
  lastScale = zoomScale();
  for (const twin of twins.values()) if (twin.kind !== 'buses') drawDevice(twin);
});

function drawDevice(twin) {
  const { style, pulse } = deviceStyle(twin);
  const latlng = [twin.lat, twin.lon];
  if (!twin.layer) {
    twin.layer = new ShapeMarker(latlng, { ...style, renderer: deviceRenderer, bubblingMouseEvents: false });
    twin.layer.twin = twin;
    groups[twin.kind].addLayer(twin.layer);
  } else {
    // setStyle redraws; shape and radius are read by that redraw.
    twin.layer.options.shape = style.shape;
    const ll = twin.layer.getLatLng();
    if (ll.lat !== twin.lat || ll.lng !== twin.lon) twin.layer.setLatLng(latlng);
    twin.layer.setRadius(style.radius);
    twin.layer.setStyle(style);
  }
  setPulse(twin, pulse);
  if (selected?.key === twin.key) selectionRing.setLatLng(latlng);
}

function setPulse(twin, pulse) {
  if (!pulse) {
    if (twin.pulse) {
      pulses[twin.kind].removeLayer(twin.pulse);
      twin.pulse = null;
    }
    return;
  }
  const cls = pulse === 'warn' ? 'pulse warn' : 'pulse';
  if (twin.pulse && twin.pulse.options.pulseClass === cls) {
    twin.pulse.setLatLng([twin.lat, twin.lon]);
    return;
  }
  if (twin.pulse) pulses[twin.kind].removeLayer(twin.pulse);
  twin.pulse = L.marker([twin.lat, twin.lon], {
    pane: 'alarms',
    interactive: false,
    keyboard: false,
    pulseClass: cls,
    icon: L.divIcon({ className: 'pulse-icon', iconSize: [34, 34], iconAnchor: [17, 17], html: `<div class="${cls}"></div>` }),
  });
  pulses[twin.kind].addLayer(twin.pulse);
}

// ---- buses ------------------------------------------------------------------------------

const BUS_ARROW = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2.5 L20 21 L12 16.8 L4 21 Z"/></svg>';

function drawBus(twin, previous) {
  if (!twin.layer) {
    const el = h('div', { class: 'bus', 'data-twin': twin.key });
    el.innerHTML = BUS_ARROW; // a constant, no twin data
    el.append(h('span', { class: 'bus-label' }));
    twin.layer = L.marker([twin.lat, twin.lon], {
      icon: L.divIcon({ className: 'bus-icon', html: el, iconSize: [26, 26], iconAnchor: [13, 13] }),
      keyboard: false,
      riseOnHover: true,
      zIndexOffset: 1000,
    });
    twin.layer.twin = twin;
    // The icon's element is created each time the marker is added to the map (filters).
    twin.layer.on('add', () => renderBus(twin));
    twin.layer.bindTooltip(() => tipContent(twin), { className: 'twin-tip', direction: 'top', offset: [0, -12] });
    groups.buses.addLayer(twin.layer);
  } else if (isNum(previous.lat) && (previous.lat !== twin.lat || previous.lon !== twin.lon)) {
    if (!isNum(twin.values.headingDeg)) twin.heading = bearing(previous.lat, previous.lon, twin.lat, twin.lon);
    animateBus(twin);
  }
  renderBus(twin);
}

/** Brings a bus's DOM icon in line with its state: heading, route label and colour, status. */
function renderBus(twin) {
  const el = twin.layer?.getElement()?.querySelector('.bus');
  if (!el) return;
  const route = twin.values.route != null ? String(twin.values.route) : '';
  const heading = isNum(twin.values.headingDeg) ? twin.values.headingDeg : (twin.heading ?? 0);
  // Turn the short way round: keep a running angle instead of jumping from 350° to 10°.
  if (twin.rot == null) twin.rot = heading;
  else twin.rot += ((((heading - twin.rot) % 360) + 540) % 360) - 180;
  el.querySelector('svg').style.transform = `rotate(${twin.rot}deg)`;
  el.querySelector('.bus-label').textContent = route || twin.id;
  el.style.setProperty('--route-color', routeColors.get(route) ?? KIND.buses.color);
  el.classList.toggle('offline', twin.status === 'offline');
  el.classList.toggle('unknown', twin.status === 'unknown');
  el.classList.toggle('selected', selected?.key === twin.key);
  el.dataset.status = twin.status;
  el.dataset.version = String(twin.version);
  if (isNum(twin.values.speedKmh)) el.dataset.speed = String(twin.values.speedKmh);
}

function bearing(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const y = Math.sin((lon2 - lon1) * rad) * Math.cos(lat2 * rad);
  const x = Math.cos(lat1 * rad) * Math.sin(lat2 * rad) - Math.sin(lat1 * rad) * Math.cos(lat2 * rad) * Math.cos((lon2 - lon1) * rad);
  return (Math.atan2(y, x) / rad + 360) % 360;
}

// Bus moves are animated from where the marker is drawn now to the new position in ~1 s, all
// buses in one requestAnimationFrame loop that runs only while something moves.
const animations = new Map(); // key → { twin, from, to, start }
let animationFrame = 0;

function animateBus(twin) {
  const from = twin.layer.getLatLng();
  const to = L.latLng(twin.lat, twin.lon);
  // A hidden tab gets no animation frames; a jump across the city is a teleport, not a drive.
  if (document.hidden || from.distanceTo(to) > 3000) {
    animations.delete(twin.key);
    twin.layer.setLatLng(to);
    return;
  }
  animations.set(twin.key, { twin, from, to, start: performance.now() });
  if (!animationFrame) animationFrame = requestAnimationFrame(stepAnimations);
}

function stepAnimations(now) {
  for (const [key, a] of animations) {
    const t = Math.min(1, (now - a.start) / BUS_ANIMATION_MS);
    const e = t < 0.5 ? 2 * t * t : 1 - ((-2 * t + 2) ** 2) / 2; // ease in-out
    const ll = L.latLng(a.from.lat + (a.to.lat - a.from.lat) * e, a.from.lng + (a.to.lng - a.from.lng) * e);
    a.twin.layer.setLatLng(ll);
    if (selected?.key === key) selectionRing.setLatLng(ll);
    if (t >= 1) animations.delete(key);
  }
  animationFrame = animations.size ? requestAnimationFrame(stepAnimations) : 0;
}

// ---- counts ------------------------------------------------------------------------------

let countsTimer = 0;
function scheduleCounts() {
  if (!countsTimer) countsTimer = setTimeout(updateCounts, 250);
}

function updateCounts() {
  countsTimer = 0;
  const view = map.getBounds();
  let inView = 0;
  for (const twin of twins.values()) {
    if (!hiddenKinds.has(twin.kind) && view.contains([twin.lat, twin.lon])) inView++;
  }
  $('twin-count').textContent = numberFormat.format(twins.size);
  $('twin-count').dataset.count = String(twins.size);
  $('view-count').textContent = numberFormat.format(inView);
}

async function refreshStats() {
  try {
    const stats = await api('/api/v1/twins/stats');
    for (const status of ['online', 'offline', 'unknown']) {
      $(`stat-${status}`).textContent = isNum(stats[status]) ? numberFormat.format(stats[status]) : '–';
    }
    for (const { kind } of KINDS) {
      const k = stats.kinds?.[kind];
      const el = document.querySelector(`.filters [data-count="${kind}"]`);
      if (!el) continue;
      el.replaceChildren();
      if (k) {
        const total = (k.online ?? 0) + (k.offline ?? 0) + (k.unknown ?? 0);
        el.append(h('b', null, numberFormat.format(k.online ?? 0)), `/${numberFormat.format(total)}`);
        el.title = `${k.online ?? 0} online, ${k.offline ?? 0} offline, ${k.unknown ?? 0} unknown`;
      }
    }
  } catch {
    for (const status of ['online', 'offline', 'unknown']) $(`stat-${status}`).textContent = '–';
  }
}

// ---- filters -----------------------------------------------------------------------------

function buildFilters() {
  const list = $('filters');
  list.replaceChildren();
  for (const { kind, label, color } of KINDS) {
    const box = h('input', { type: 'checkbox', 'data-kind': kind, checked: !hiddenKinds.has(kind) });
    box.addEventListener('change', () => setKindVisible(kind, box.checked));
    list.append(h('li', null,
      h('label', null, box, h('span', { class: 'swatch', style: `background:${color}` }), label),
      h('span', { class: 'count', 'data-count': kind })));
  }
}

function setKindVisible(kind, visible) {
  if (visible) {
    hiddenKinds.delete(kind);
    groups[kind].addTo(map);
    pulses[kind].addTo(map);
  } else {
    hiddenKinds.add(kind);
    map.removeLayer(groups[kind]);
    map.removeLayer(pulses[kind]);
  }
  storageSet(FILTER_STORE, JSON.stringify([...hiddenKinds]));
  scheduleCounts();
}

// ---- the city ----------------------------------------------------------------------------

function banner(text) {
  const el = $('banner');
  el.textContent = text ?? '';
  el.hidden = !text;
}

/** Loads /api/v1/city, retrying (with whatever key is set by then) until it answers. */
async function loadCity() {
  for (;;) {
    try {
      const city = await api('/api/v1/city');
      banner(null);
      return city;
    } catch (err) {
      const hint = err.status === 401 || err.status === 403 ? ' Check the key.' : '';
      banner(`Cannot load the city (${err.message}).${hint} Retrying…`);
      await sleep(3000);
    }
  }
}

function drawCity(city) {
  const name = city.name ?? 'City';
  $('city-name').textContent = name;
  document.title = `TwinCity · ${name}`;

  const base = city.baseLayer;
  if (base?.url) {
    L.tileLayer(base.url, { attribution: base.attribution ?? '', maxZoom: 19, crossOrigin: true }).addTo(map);
  } else if (base?.attribution) {
    map.attributionControl.addAttribution(base.attribution);
  }

  // extent: everything the city covers (what may be watched); content: its streets and routes
  // (what the first view shows, tighter than the bounds when those are generous).
  const extent = L.latLngBounds([]);
  const content = L.latLngBounds([]);
  const b = city.bounds;
  if (b && [b.minLat, b.minLon, b.maxLat, b.maxLon].every(isNum)) {
    extent.extend([b.minLat, b.minLon]).extend([b.maxLat, b.maxLon]);
  }

  // Streets are optional in the city document; without tiles they are what makes it a map.
  for (const street of city.streets ?? []) {
    if (!Array.isArray(street.path) || street.path.length < 2) continue;
    const options = { pane: 'streets', opacity: 1, interactive: false, lineCap: 'round', lineJoin: 'round' };
    streetLines.push(
      { width: 1, line: L.polyline(street.path, { ...options, color: '#22324f' }).addTo(map) },
      { width: 0.45, line: L.polyline(street.path, { ...options, color: '#2e4269' }).addTo(map) });
    street.path.forEach((p) => { extent.extend(p); content.extend(p); });
  }

  sizeStreets();
  map.on('zoomend', sizeStreets);

  const routeList = [];
  (city.routes ?? []).forEach((route, i) => {
    const color = ROUTE_COLORS[i % ROUTE_COLORS.length];
    routeColors.set(String(route.id), color);
    if (!Array.isArray(route.path) || route.path.length < 2) return;
    // A dark casing under a coloured line keeps routes readable over streets and tiles.
    L.polyline(route.path, { pane: 'routes', color: '#0b1220', weight: 4, opacity: 0.35, interactive: false }).addTo(map);
    const line = L.polyline(route.path, { pane: 'routes', color, weight: 2, opacity: 0.8, interactive: false, dashArray: '7 5' }).addTo(map);
    route.path.forEach((p) => { extent.extend(p); content.extend(p); });
    routeList.push({ route, color, line });
  });
  buildRouteCard(routeList);

  if (!extent.isValid() && city.center) extent.extend([city.center.lat, city.center.lon]);
  cityExtent = extent.pad(0.08);
  const home = content.isValid() ? content : extent;
  const goHome = () => {
    if (home.isValid()) map.fitBounds(home, { padding: [16, 16] });
    else map.setView([city.center?.lat ?? 0, city.center?.lon ?? 0], 13);
  };
  goHome();

  // A control that brings the whole city back into view.
  const Fit = L.Control.extend({
    options: { position: 'topleft' },
    onAdd() {
      const bar = h('div', { class: 'leaflet-bar fit-city' },
        h('a', { href: '#', title: 'Whole city', role: 'button', onclick: (e) => { e.preventDefault(); goHome(); } }, '⌂'));
      L.DomEvent.disableClickPropagation(bar);
      return bar;
    },
  });
  new Fit().addTo(map);
}

/** Streets are drawn about as wide as real streets: wider as the map zooms in. */
function sizeStreets() {
  const width = Math.min(18, Math.max(3, 2.2 * (map.getZoom() - 11)));
  for (const { width: share, line } of streetLines) line.setStyle({ weight: width * share });
}

function buildRouteCard(routeList) {
  if (!routeList.length) return;
  const items = routeList.map(({ route, color, line }) =>
    h('li', { class: 'route', title: `${route.name ?? ''} (click to show)`, onclick: () => map.fitBounds(line.getBounds(), { padding: [30, 30] }) },
      h('span', { class: 'swatch', style: `background:${color}` }),
      h('b', null, String(route.id)),
      h('span', { class: 'route-name' }, route.name ?? '')));
  const card = h('section', { class: 'card routes-card' }, h('h2', null, 'Bus routes'), h('ul', { class: 'filters routes' }, items));
  document.querySelector('.legend').before(card);
}

// ---- watching the visible area ----------------------------------------------------------

const round5 = (x) => Math.round(x * 1e5) / 1e5;

function boxOf(bounds) {
  return {
    minLon: round5(bounds.getWest()), minLat: round5(bounds.getSouth()),
    maxLon: round5(bounds.getEast()), maxLat: round5(bounds.getNorth()),
  };
}

const boxArea = (b) => Math.max(0, b.maxLon - b.minLon) * Math.max(0, b.maxLat - b.minLat);
const boxContains = (outer, inner) => inner.minLon >= outer.minLon && inner.maxLon <= outer.maxLon && inner.minLat >= outer.minLat && inner.maxLat <= outer.maxLat;
const sameBox = (a, b) => a && b && a.minLon === b.minLon && a.minLat === b.minLat && a.maxLon === b.maxLon && a.maxLat === b.maxLat;

/**
 * What to watch for the current view: the view with a margin (so a short pan needs no new
 * watch), clipped to the city; the whole city once the view shows all of it. Null when the
 * view is outside the city.
 */
function wantedArea() {
  const view = map.getBounds();
  if (!cityExtent) return null;
  if (view.contains(cityExtent)) return boxOf(cityExtent);
  const padded = view.pad(0.5);
  if (!padded.intersects(cityExtent)) return null;
  const south = Math.max(padded.getSouth(), cityExtent.getSouth());
  const west = Math.max(padded.getWest(), cityExtent.getWest());
  const north = Math.min(padded.getNorth(), cityExtent.getNorth());
  const east = Math.min(padded.getEast(), cityExtent.getEast());
  return boxOf(L.latLngBounds([south, west], [north, east]));
}

let watchQueue = Promise.resolve();
let watchTimer = 0;

map.on('moveend zoomend', () => {
  scheduleCounts();
  clearTimeout(watchTimer);
  watchTimer = setTimeout(() => rewatch(false), WATCH_DEBOUNCE_MS);
});

/** Queues a watch update; updates never interleave, so Unwatch always names what was watched. */
function rewatch(force) {
  watchQueue = watchQueue.then(() => updateWatch(force)).catch((err) => console.warn('watching the area failed', err));
  return watchQueue;
}

async function updateWatch(force) {
  const c = connection;
  if (!c || c.state !== signalR.HubConnectionState.Connected || !cityExtent) return;
  const want = wantedArea();
  if (!force && watched && want) {
    // Keep the current watch while it still covers the view and is not much larger than needed.
    const view = boxOf(map.getBounds());
    if (sameBox(watched, want)) return;
    if (boxContains(watched, clip(view)) && boxArea(watched) <= 3 * boxArea(want)) return;
  }
  if (watched) {
    const old = watched;
    watched = null;
    try {
      await c.invoke('UnwatchArea', old.minLon, old.minLat, old.maxLon, old.maxLat);
    } catch (err) {
      console.warn('UnwatchArea failed', err);
    }
  }
  if (!want) {
    prune(null);
    return;
  }
  const list = await c.invoke('WatchArea', want.minLon, want.minLat, want.maxLon, want.maxLat);
  if (c !== connection) return;
  watched = want;
  for (const summary of Array.isArray(list) ? list : []) upsert(summary, false);
  prune(want);
}

function clip(box) {
  const ext = boxOf(cityExtent);
  return {
    minLon: Math.max(box.minLon, ext.minLon), minLat: Math.max(box.minLat, ext.minLat),
    maxLon: Math.min(box.maxLon, ext.maxLon), maxLat: Math.min(box.maxLat, ext.maxLat),
  };
}

/** Drops markers outside the watched area: nothing keeps them current, and memory stays bounded. */
function prune(box) {
  for (const twin of [...twins.values()]) {
    if (twin.key !== selected?.key && !inBox(box, twin.lat, twin.lon)) removeTwin(twin);
  }
  scheduleCounts();
}

// ---- the hub connection -----------------------------------------------------------------

let connection = null;
let startTimer = 0;
let startAttempt = 0;

function setConnState(state, detail) {
  const el = $('conn');
  el.dataset.state = state;
  el.querySelector('.conn-text').textContent = { connected: 'live', connecting: 'connecting…', reconnecting: 'reconnecting…', disconnected: 'offline' }[state];
  el.title = detail ? `${state}: ${detail}` : state;
}

function buildConnection() {
  // The key goes both as access_token (what WebSockets can carry) and as X-Api-Key on the
  // HTTP requests (negotiate, and the fallback transports).
  const c = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/city?access_token=${encodeURIComponent(apiKey)}`, { headers: { 'X-Api-Key': apiKey } })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(10000, 500 * 2 ** Math.min(ctx.previousRetryCount, 5)) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  c.on('twinChanged', (change) => upsert(change, true));
  c.on('twinDocument', onTwinDocument);
  c.on('ruleFired', onRuleFired);
  c.onreconnecting((err) => { if (c === connection) setConnState('reconnecting', err?.message); });
  c.onreconnected(() => {
    if (c !== connection) return;
    setConnState('connected');
    afterConnect();
  });
  c.onclose((err) => {
    if (c !== connection) return;
    setConnState('disconnected', err?.message);
    scheduleStart();
  });
  return c;
}

/** A (re)connected connection has no watches on the server: watch the area and the twin again. */
function afterConnect() {
  startAttempt = 0;
  watched = null;
  rewatch(true);
  if (selected) watchSelected(selected);
}

async function startConnection() {
  const c = connection;
  setConnState('connecting');
  try {
    await c.start();
    if (c !== connection) return;
    setConnState('connected');
    afterConnect();
  } catch (err) {
    if (c !== connection) return;
    setConnState('disconnected', err?.message);
    scheduleStart();
  }
}

// withAutomaticReconnect does not cover the first start nor a connection that closed: retry here.
function scheduleStart() {
  clearTimeout(startTimer);
  const delay = Math.min(10000, 1000 * 2 ** Math.min(startAttempt++, 4));
  startTimer = setTimeout(() => {
    if (connection && connection.state === signalR.HubConnectionState.Disconnected) startConnection();
  }, delay);
}

async function replaceConnection() {
  const old = connection;
  connection = buildConnection();
  watched = null;
  clearTimeout(startTimer);
  startAttempt = 0;
  if (old) {
    try { await old.stop(); } catch { /* it was going away anyway */ }
  }
  await startConnection();
}

// ---- the twin panel ----------------------------------------------------------------------

$('panel-close').addEventListener('click', () => deselect());
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && selected && !e.target.closest?.('input')) deselect();
});

async function select(kind, id) {
  const key = `${kind}/${id}`;
  if (!KIND[kind]) throw new Error(`unknown kind ${kind}`);
  if (selected?.key === key) return;
  if (selected) unwatchSelected(selected);

  const sel = { kind, id, key, doc: null, reported: {}, historyAt: 0 };
  selected = sel;
  const panel = $('panel');
  panel.hidden = false;
  panel.dataset.twin = key;
  panel.dataset.version = '';
  $('panel-title').textContent = id;
  const badge = $('panel-kind');
  badge.textContent = KIND[kind].label;
  badge.style.background = KIND[kind].color;
  sel.docEl = h('div', { class: 'doc' }, h('p', { class: 'muted' }, 'Loading…'));
  sel.historyEl = h('section', { class: 'history' }, h('h3', null, 'Recent history'), h('p', { class: 'muted' }, 'Loading…'));
  $('panel-body').replaceChildren(sel.docEl, sel.historyEl);

  const twin = twins.get(key);
  if (twin) {
    selectionRing.setLatLng(twin.layer.getLatLng()).addTo(map);
    if (kind === 'buses') renderBus(twin);
  }
  for (const t of twins.values()) if (t.kind === 'buses' && t.key !== key) t.layer.getElement()?.querySelector('.bus')?.classList.remove('selected');

  await watchSelected(sel);
}

/** Subscribes to the selected twin; the hub answers with its document (REST when it cannot). */
async function watchSelected(sel) {
  let doc = null;
  const c = connection;
  if (c?.state === signalR.HubConnectionState.Connected) {
    try {
      doc = await c.invoke('WatchTwin', sel.kind, sel.id);
    } catch (err) {
      console.warn('WatchTwin failed', err);
    }
  }
  if (!doc) {
    try {
      doc = await api(`/api/v1/twins/${encodeURIComponent(sel.kind)}/${encodeURIComponent(sel.id)}`);
    } catch (err) {
      if (selected === sel) sel.docEl.replaceChildren(h('p', { class: 'muted' }, err.status === 404 ? 'There is no such twin.' : `Cannot read the twin (${err.message}).`));
      return;
    }
  }
  if (selected !== sel) return;
  renderDoc(sel, doc);
}

function unwatchSelected(sel) {
  const c = connection;
  if (c?.state === signalR.HubConnectionState.Connected) {
    c.invoke('UnwatchTwin', sel.kind, sel.id).catch((err) => console.warn('UnwatchTwin failed', err));
  }
}

function deselect() {
  if (!selected) return;
  const sel = selected;
  unwatchSelected(sel);
  selected = null;
  const panel = $('panel');
  panel.hidden = true;
  delete panel.dataset.twin;
  map.removeLayer(selectionRing);
  const twin = twins.get(sel.key);
  if (twin?.kind === 'buses') renderBus(twin);
  // A twin kept only because it was selected goes if it is outside the watched area.
  if (twin && watched && !inBox(watched, twin.lat, twin.lon)) removeTwin(twin);
}

function onTwinDocument(doc) {
  if (!doc) return;
  upsert(doc, true);
  const key = `${doc.kind}/${doc.id}`;
  if (selected?.key === key && (!selected.doc || (doc.version ?? 0) >= (selected.doc.version ?? 0))) renderDoc(selected, doc);
}

function renderDoc(sel, doc) {
  const prevReported = sel.doc?.reported ?? {};
  const changed = sel.doc && sel.doc.version !== doc.version;
  sel.doc = doc;
  const panel = $('panel');
  panel.dataset.version = String(doc.version ?? '');
  panel.dataset.status = String(doc.status ?? 'unknown');
  if (doc.name) $('panel-title').textContent = doc.id;

  const status = String(doc.status ?? 'unknown').toLowerCase();
  const facts = h('dl', { class: 'facts' },
    doc.name ? [h('dt', null, 'name'), h('dd', null, doc.name)] : null,
    h('dt', null, 'status'), h('dd', null, h('span', { class: `pill ${status}`, 'data-status': status }, status)),
    h('dt', null, 'last seen'), h('dd', null, timeEl(doc.lastSeen, 'seen')),
    h('dt', null, 'version'), h('dd', null, formatValue(doc.version)),
    doc.devEui ? [h('dt', null, 'DevEUI'), h('dd', { style: 'font-family:var(--mono)' }, doc.devEui)] : null,
    doc.position ? [h('dt', null, 'position'), h('dd', null, `${formatValue(doc.position.lat, 6)}, ${formatValue(doc.position.lon, 6)}`)] : null);

  // Reported values; each value cell carries data-prop with the property's name.
  const reported = Object.entries(doc.reported ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const reportedEl = reported.length
    ? h('table', { class: 'kv reported' }, reported.map(([name, r]) => {
      const value = r && typeof r === 'object' && 'value' in r ? r.value : r;
      const before = prevReported[name];
      const flash = changed && JSON.stringify(before?.value ?? before) !== JSON.stringify(value);
      return h('tr', { class: flash ? 'flash' : null },
        h('th', null, name),
        h('td', { class: value === true && ALARM_PROPS.has(name) ? 'v alarm' : 'v', 'data-prop': name }, formatValue(value, name === 'lat' || name === 'lon' ? 6 : 3)),
        h('td', { class: 't' }, r?.at ? timeEl(r.at) : ''));
    }))
    : h('p', { class: 'muted' }, 'Nothing reported yet.');

  const desired = Object.entries(doc.desired ?? {});
  const delta = doc.delta ?? {};
  const desiredEl = desired.length
    ? h('table', { class: 'kv desired' }, desired.map(([name, d]) => {
      const value = d && typeof d === 'object' && 'value' in d ? d.value : d;
      const pending = Object.prototype.hasOwnProperty.call(delta, name);
      return h('tr', { class: pending ? 'delta' : null, title: pending ? 'not reported by the device yet' : 'reported' },
        h('th', null, name),
        h('td', { class: 'v', 'data-desired': name }, formatValue(value), pending ? ' ⧗' : ' ✓'),
        h('td', { class: 't' }, d?.by ?? '', d?.at ? [' · ', timeEl(d.at)] : ''));
    }))
    : h('p', { class: 'muted' }, 'No desired values.');

  const radio = doc.radio ?? {};
  const radioEl = Object.keys(radio).length
    ? h('table', { class: 'kv radio' }, Object.entries(radio).map(([name, value]) =>
      h('tr', null, h('th', null, name), h('td', { class: 'v' }, formatValue(value)), h('td', { class: 't' }))))
    : h('p', { class: 'muted' }, 'No radio data.');

  const commands = Array.isArray(doc.commands) ? doc.commands : [];
  const commandsEl = commands.length
    ? h('table', { class: 'kv commands' }, commands.map((c) =>
      h('tr', { 'data-command': c.id ?? '' },
        h('th', null, c.name ?? '?'),
        h('td', null, h('span', { class: `pill c-${String(c.status ?? '').toLowerCase()}` }, c.status ?? '?')),
        h('td', { class: 't', title: c.id ?? '' }, c.by ?? '', c.at || c.createdAt ? [' · ', timeEl(c.at ?? c.createdAt)] : ''))))
    : h('p', { class: 'muted' }, 'No pending commands.');

  sel.docEl.replaceChildren(
    facts,
    h('h3', null, 'Reported'), reportedEl,
    h('h3', null, 'Desired'), desiredEl,
    h('h3', null, 'Commands'), commandsEl,
    h('h3', null, 'Radio'), radioEl);

  // History: on selection, then again at most every 5 s while the twin changes.
  if (Date.now() - sel.historyAt > 5000) {
    sel.historyAt = Date.now();
    loadHistory(sel);
  }
}

async function loadHistory(sel) {
  const to = new Date();
  const from = new Date(to.getTime() - HISTORY_WINDOW_MS);
  const path = `/api/v1/twins/${encodeURIComponent(sel.kind)}/${encodeURIComponent(sel.id)}/history?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  let items;
  try {
    const body = await api(path);
    items = Array.isArray(body?.items) ? body.items : [];
  } catch {
    items = null;
  }
  if (selected !== sel) return;
  const title = h('h3', null, 'Recent history');
  if (!items || !items.length) {
    sel.historyEl.replaceChildren(title, h('p', { class: 'muted', 'data-history': 'none' }, 'no history'));
    return;
  }
  const sorted = [...items].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const prop = (SPARK_PROPS[sel.kind] ?? []).find((p) => sorted.some((i) => isNum(i.values?.[p])));
  const rows = sorted.slice(-15).reverse().map((item) =>
    h('tr', null,
      h('td', { class: 't', style: 'text-align:left' }, timeEl(item.at)),
      h('td', null, Object.entries(item.values ?? {}).map(([k, v]) => `${k} ${formatValue(v)}`).join(' · '))));
  sel.historyEl.replaceChildren(
    title,
    prop ? h('div', { class: 'muted' }, prop) : null,
    prop ? sparkline(sorted.filter((i) => isNum(i.values?.[prop])).map((i) => [Date.parse(i.at), i.values[prop]])) : null,
    h('table', { class: 'kv', 'data-history': String(items.length) }, rows));
}

function sparkline(points) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 300 46');
  svg.setAttribute('preserveAspectRatio', 'none');
  if (points.length < 2) return svg;
  const [t0, t1] = [points[0][0], points[points.length - 1][0]];
  const values = points.map((p) => p[1]);
  const [v0, v1] = [Math.min(...values), Math.max(...values)];
  const x = (t) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * 300);
  const y = (v) => 42 - (v1 === v0 ? 0.5 : (v - v0) / (v1 - v0)) * 38;
  const d = points.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const area = document.createElementNS(ns, 'path');
  area.setAttribute('class', 'area');
  area.setAttribute('d', `${d}L300,46L0,46Z`);
  const line = document.createElementNS(ns, 'path');
  line.setAttribute('d', d);
  svg.append(area, line);
  return svg;
}

// ---- alerts ------------------------------------------------------------------------------

let alertCount = 0;
$('alerts-clear').addEventListener('click', () => {
  alertCount = 0;
  $('alert-count').textContent = '0';
  $('alert-count').classList.remove('hot');
  $('alerts').replaceChildren(h('li', { class: 'empty' }, 'No alerts.'));
});

/** A rule's source or target: "kind/id", { kind, id } or anything else, shown as text. */
function twinRef(ref) {
  if (ref && typeof ref === 'object' && ref.kind && ref.id) return { kind: ref.kind, id: ref.id };
  const m = typeof ref === 'string' ? /^([a-z-]+)\/(.+)$/.exec(ref) : null;
  return m && KIND[m[1]] ? { kind: m[1], id: m[2] } : null;
}

function refEl(ref) {
  const t = twinRef(ref);
  if (!t) return h('span', null, typeof ref === 'string' ? ref : JSON.stringify(ref));
  return h('span', { class: 'a-twin', title: 'show this twin', onclick: () => focusTwin(t.kind, t.id) }, `${t.kind}/${t.id}`);
}

function focusTwin(kind, id) {
  const twin = twins.get(`${kind}/${id}`);
  if (twin) map.panTo([twin.lat, twin.lon]);
  select(kind, id);
}

function onRuleFired(event) {
  const targets = Array.isArray(event?.targets) ? event.targets : event?.targets ? [event.targets] : [];
  const rule = event?.rule ?? 'rule';
  const message = event?.message ?? `${targets.length} target${targets.length === 1 ? '' : 's'} acted on`;

  const list = $('alerts');
  list.querySelector('.empty')?.remove();
  const shown = targets.slice(0, 6).flatMap((t, i) => [i ? ', ' : '', refEl(t)]);
  const where = isNum(event?.lat) && isNum(event?.lon) ? [event.lat, event.lon] : null;
  if (where) flashPlace(where);
  list.prepend(h('li', { 'data-rule': rule },
    h('span', { class: 'a-time' }, timeEl(event?.at ?? new Date().toISOString(), '')),
    h('div', {
      class: 'a-rule',
      title: where ? 'show where it happened' : null,
      style: where ? 'cursor:pointer' : null,
      onclick: where ? () => { map.setView(where, Math.max(map.getZoom(), 16)); flashPlace(where); } : null,
    }, rule),
    h('div', { class: 'a-msg' }, message),
    event?.source ? h('div', null, 'from ', refEl(event.source)) : null,
    targets.length ? h('div', null, 'to ', shown, targets.length > 6 ? ` +${targets.length - 6}` : '') : null));
  while (list.children.length > MAX_ALERTS) list.lastElementChild.remove();
  alertCount++;
  $('alert-count').textContent = String(alertCount);
  $('alert-count').classList.add('hot');

  toast(h('div', null, h('b', null, rule), ' — ', message));
}

/** A pulsing ring for a few seconds where a rule fired. */
function flashPlace(latlng) {
  const ring = L.marker(latlng, {
    pane: 'alarms',
    interactive: false,
    keyboard: false,
    icon: L.divIcon({ className: 'pulse-icon', iconSize: [60, 60], iconAnchor: [30, 30], html: '<div class="pulse rule"></div>' }),
  }).addTo(map);
  setTimeout(() => map.removeLayer(ring), 10000);
}

function toast(content) {
  const box = $('toasts');
  const el = h('div', { class: 'toast', role: 'alert' }, content);
  box.prepend(el);
  while (box.children.length > 4) box.lastElementChild.remove();
  setTimeout(() => {
    el.classList.add('out');
    setTimeout(() => el.remove(), 450);
  }, 7000);
}

// ---- the key field -----------------------------------------------------------------------

const keyInput = $('api-key');
keyInput.value = apiKey;
keyInput.addEventListener('change', () => {
  const value = keyInput.value.trim();
  if (!value || value === apiKey) return;
  apiKey = value;
  storageSet(KEY_STORE, value);
  refreshStats();
  if (connection) replaceConnection();
});

// ---- start -------------------------------------------------------------------------------

// The hook the browser tests use (and handy from the console).
window.twinCity = {
  markers: twins,
  select,
  deselect,
  map,
  get watched() { return watched; },
  get connectionState() { return connection?.state ?? 'Disconnected'; },
};

buildFilters();
setConnState('connecting');
refreshStats();
setInterval(refreshStats, STATS_EVERY_MS);

const city = await loadCity();
drawCity(city);
await replaceConnection();
