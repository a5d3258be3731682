// Live updates: the incident event stream, read with fetch so that the
// read token can go in a header (EventSource cannot send one).

import {authHeaders, askToken, request} from './api.js';

const POLL_EVERY = 5000;
// Only incidents come down the stream, not the detector's minutes: while
// it is live, pages are asked to refresh this often, so that the data's
// time, the charts and the map follow.
const REFRESH_EVERY = 30000;
const MAX_BACKOFF = 30000;
// The API sends a comment every 15 s; a stream silent for longer than
// this is stuck behind something and is dropped.
const STALL_AFTER = 45000;

// subscribe calls onEvent for every incident event ({type, id, data})
// from now on. While the stream is down it reconnects with backoff,
// resuming after the last event it got, and polls /v1/overview every 5 s
// meanwhile, calling onEvent({type: 'poll', overview}) when it changed;
// after a reconnect it calls onEvent({type: 'reconnect'}). While the
// stream is up it calls onEvent({type: 'tick'}) every 30 s and when the
// tab is shown again. A page that is left lets go of its stream (kept in
// the back/forward cache, it would hold one of the six connections a
// browser opens to a host, and after a few pages the next could not load)
// and takes it up again, with a reconnect, if it is shown again. It
// returns a function that stops it all.
export function subscribe(onEvent) {
  let stopped = false;
  let paused = false; // the page was left
  let gen = 0; // the latest run loop's number: an older loop ends
  let lastId = null;
  let ctrl = null;
  let pollTimer = null;
  let lastPoll = null;
  let failures = 0;

  const safe = (ev) => {
    try {
      onEvent(ev);
    } catch (e) {
      console.error('live event handler', e);
    }
  };

  async function poll() {
    try {
      const res = await request('/v1/overview');
      const text = await res.text();
      if (text !== lastPoll) {
        lastPoll = text;
        safe({type: 'poll', overview: JSON.parse(text)});
      }
      if (pollTimer) status('polling', 'Live stream down; checking every 5 seconds');
    } catch (e) {
      if (pollTimer) status('offline', 'The API cannot be reached; retrying');
    }
  }

  const ended = (mine) => stopped || paused || mine !== gen;

  function startPolling() {
    if (pollTimer || stopped || paused) return;
    pollTimer = setInterval(poll, POLL_EVERY);
    poll();
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
    lastPoll = null;
  }

  async function run() {
    const mine = ++gen;
    while (!ended(mine)) {
      ctrl = new AbortController();
      let stall = null;
      const kick = () => {
        clearTimeout(stall);
        stall = setTimeout(() => ctrl.abort(), STALL_AFTER);
      };
      let delivered = false;
      const openedAt = Date.now();
      try {
        const headers = {Accept: 'text/event-stream', ...authHeaders()};
        if (lastId) headers['Last-Event-ID'] = lastId;
        kick();
        const res = await fetch('/v1/events', {headers, signal: ctrl.signal, cache: 'no-store'});
        if (res.status === 401) {
          clearTimeout(stall);
          askToken(Object.keys(authHeaders()).length > 0);
          status('offline', 'A read token is needed for live updates');
          return;
        }
        if (!res.ok || !res.body) throw new Error('event stream answered ' + res.status);
        status('live', 'Live: incident events arrive as they happen');
        if (failures > 0) safe({type: 'reconnect'});
        failures = 0;
        stopPolling();
        await readEvents(res.body, kick, (ev) => {
          if (ev.id) lastId = ev.id;
          delivered = true;
          let data = null;
          try {
            data = JSON.parse(ev.data);
          } catch {
            return; // not an event we can read
          }
          safe({type: ev.event || 'message', id: ev.id, data});
        });
      } catch (e) {
        if (ended(mine)) return;
      } finally {
        clearTimeout(stall);
      }
      if (ended(mine)) return;
      // A stream that lasted or delivered was healthy: start the backoff
      // over; one that ends at once backs off further each time.
      if (delivered || Date.now() - openedAt > 10000) failures = 0;
      failures++;
      status('reconnecting', 'Live stream lost; reconnecting (checking every 5 seconds meanwhile)');
      startPolling();
      const wait = Math.min(MAX_BACKOFF, 1000 * 2 ** (failures - 1));
      await new Promise((r) => setTimeout(r, wait * (0.75 + Math.random() / 2)));
    }
  }

  const tick = () => {
    if (!stopped && !paused && !pollTimer && !document.hidden) safe({type: 'tick'});
  };
  const ticker = setInterval(tick, REFRESH_EVERY);
  const hide = () => {
    paused = true;
    stopPolling();
    if (ctrl) ctrl.abort();
  };
  const show = (ev) => {
    if (!paused || stopped) return;
    paused = false;
    if (ev.persisted) safe({type: 'reconnect'});
    run();
  };
  document.addEventListener('visibilitychange', tick);
  addEventListener('pagehide', hide);
  addEventListener('pageshow', show);

  run();
  return () => {
    stopped = true;
    stopPolling();
    clearInterval(ticker);
    document.removeEventListener('visibilitychange', tick);
    removeEventListener('pagehide', hide);
    removeEventListener('pageshow', show);
    if (ctrl) ctrl.abort();
  };
}

// readEvents parses a text/event-stream body, calling dispatch for each
// event ({id, event, data}) and kick for every chunk read.
export async function readEvents(body, kick, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let data = [];
  let event = '';
  let id = null;
  const line = (l) => {
    if (l === '') {
      if (data.length) dispatch({id, event, data: data.join('\n')});
      data = [];
      event = '';
      return;
    }
    if (l[0] === ':') return; // a comment: the heartbeat
    const i = l.indexOf(':');
    const field = i < 0 ? l : l.slice(0, i);
    let value = i < 0 ? '' : l.slice(i + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    kick();
    buf += value;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(buf);
      // A lone \r at the end may be the first half of \r\n.
      if (!m || (m[0] === '\r' && m.index === buf.length - 1)) break;
      line(buf.slice(0, m.index));
      buf = buf.slice(m.index + m[0].length);
    }
  }
}

function status(state, text) {
  const el = document.getElementById('live');
  if (!el) return;
  el.dataset.state = state;
  el.title = text;
  el.textContent = {live: '● Live', polling: '◌ Polling', reconnecting: '◌ Reconnecting', offline: '○ Offline'}[state] || state;
}

// reloader wraps an async load so that bursts of events cause one load
// at a time, and a trigger during a load one more after it.
export function reloader(load, delay = 250) {
  let timer = null;
  let running = false;
  let again = false;
  const go = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await load();
    } finally {
      running = false;
      if (again) {
        again = false;
        trigger();
      }
    }
  };
  const trigger = () => {
    if (!timer) timer = setTimeout(go, delay);
  };
  return trigger;
}
