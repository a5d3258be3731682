// Every call to the JSON API goes through request or getJSON here, which
// add the read token when the viewer gave one and ask for it on a 401.

import {h, replace} from './dom.js';

const TOKEN_KEY = 'seismo.read-token';

// ApiError is a failed call: status 0 when the API could not be reached.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled
  }
}

// authHeaders are the headers that carry the read token, if any.
export function authHeaders() {
  const t = token();
  return t ? {Authorization: 'Bearer ' + t} : {};
}

// request fetches path from the API and returns the response when it is
// 2xx; otherwise it throws an ApiError (asking for a token on 401).
export async function request(path, opts = {}) {
  let res;
  try {
    res = await fetch(path, {
      ...opts,
      headers: {Accept: 'application/json', ...authHeaders(), ...(opts.headers || {})},
      cache: 'no-store',
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', 'The seismo API cannot be reached.');
  }
  if (res.ok) return res;
  let code = 'http_' + res.status;
  let message = `The API answered ${res.status} ${res.statusText}`.trim();
  try {
    const body = await res.json();
    if (body && body.error) {
      code = String(body.error.code || code);
      message = String(body.error.message || message);
    }
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401) askToken(token() != null);
  throw new ApiError(res.status, code, message);
}

export async function getJSON(path, opts) {
  const res = await request(path, opts);
  try {
    return await res.json();
  } catch {
    throw new ApiError(res.status, 'bad_json', 'The API sent something that is not JSON.');
  }
}

// incidents lists up to want incidents matching params, following the
// listing's cursor: a page reads a bounded part of the store, so a rare
// service's incidents can lie a few pages on. It stops after maxPages.
export async function incidents(params, want, maxPages = 8) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < maxPages && out.length < want; i++) {
    const r = await getJSON('/v1/incidents' + query({...params, limit: want - out.length, cursor}));
    out.push(...(r.incidents || []));
    cursor = r.next_cursor;
    if (!cursor) break;
  }
  return out;
}

// query builds "?k=v&..." from the set values of params.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

let asking = false;

// askToken shows a small form for the read token; the page reloads once
// it is given, so every view and the live stream start over with it.
export function askToken(wrong) {
  if (asking) return;
  asking = true;
  // No name: were the form ever submitted natively, the token would not
  // travel in the URL.
  const input = h('input', {type: 'password', id: 'token', autocomplete: 'off', required: true, spellcheck: 'false'});
  const form = h('form', {class: 'token-form', 'aria-labelledby': 'token-title'},
    h('h2', {id: 'token-title'}, 'Read token needed'),
    h('p', null, wrong
      ? 'The API refused the token of this tab. Enter the read token again.'
      : 'This seismo API asks for a read token. It is kept in this tab only (sessionStorage).'),
    h('label', {for: 'token'}, 'Token '), input, ' ',
    h('button', {type: 'submit'}, 'Use token'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = input.value.trim();
    if (!t) return;
    try {
      sessionStorage.setItem(TOKEN_KEY, t);
    } catch {
      // storage disabled: nothing to keep it in
    }
    location.reload();
  });
  replace(document.getElementById('notice'), form);
  input.focus();
}

// notice shows a message above the page (null clears it); it leaves the
// token form alone.
export function notice(text) {
  const el = document.getElementById('notice');
  if (asking || !el) return;
  if (!text) replace(el);
  else replace(el, h('p', {class: 'notice'}, text));
}

// errorText says what went wrong with a call in a sentence for the page.
export function errorText(e, what) {
  if (!(e instanceof ApiError)) return `Could not show ${what}: ${e && e.message ? e.message : e}`;
  if (e.status === 0) return 'The seismo API cannot be reached; the page will retry.';
  if (e.status === 401) return 'A read token is needed to see this.';
  if (e.status === 404) return `No such ${what}: ${e.message}`;
  return `Could not load ${what}: ${e.message}`;
}
