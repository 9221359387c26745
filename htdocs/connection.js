/*
 * webchat page: one WebSocket at a time, reconnected after a drop with
 * backoff, its state reported.
 */

import { reconnectDelay } from './backoff.js';

const STABLE_CONNECTION_MS = 10000; // connected this long: the next outage starts the backoff afresh
const CONNECT_TIMEOUT_MS = 15000; // a handshake that hangs (lost SYN, stuck proxy) counts as failed

/**
 * The connection manager. `getUrl()` is asked before every attempt (the
 * URL carries the last message id). States, reported through
 * onState(state, info):
 *   'connecting'    a socket is being opened
 *   'connected'     open; send() works
 *   'reconnecting'  waiting to retry; info.retryAt is when (ms since epoch)
 *   'offline'       the browser says there is no network; retries when it returns
 *   'stopped'       stop() was called; start() again to reconnect
 */
export function createConnection(getUrl, handlers) {
  var socket = null;
  var attempt = 0; // failed attempts since the last stable connection
  var retryTimer = null;
  var stableTimer = null;
  var connectTimer = null;
  var state = null;

  function setState(next, info) {
    state = next;
    handlers.onState(next, info || {});
  }

  function clearTimers() {
    clearTimeout(retryTimer);
    clearTimeout(stableTimer);
    clearTimeout(connectTimer);
    retryTimer = stableTimer = connectTimer = null;
  }

  function isOffline() {
    return navigator.onLine === false;
  }

  function connect() {
    clearTimers();
    if (isOffline()) {
      setState('offline');
      return;
    }
    var url = getUrl();
    setState('connecting');
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (error) {
      // A malformed URL or one the page may not use (ws: from an https page).
      console.warn('webchat: cannot open ' + url + ': ' + error.message);
      scheduleRetry();
      return;
    }
    socket = ws;
    connectTimer = setTimeout(function () { drop(ws); }, CONNECT_TIMEOUT_MS);
    ws.addEventListener('open', function () {
      if (ws !== socket) return;
      clearTimeout(connectTimer);
      setState('connected');
      stableTimer = setTimeout(function () { attempt = 0; }, STABLE_CONNECTION_MS);
    });
    ws.addEventListener('message', function (event) {
      if (ws === socket) handlers.onMessage(event.data);
    });
    // Usually 'error' comes with a 'close', but not always (Chromium sends
    // only 'error' for a connection the CSP blocks): either ends this socket.
    ws.addEventListener('error', function () { drop(ws); });
    ws.addEventListener('close', function () { drop(ws); });
  }

  /** Forgets the current socket (if any) and closes it; no retry is scheduled. */
  function detach() {
    var ws = socket;
    socket = null;
    if (!ws) return;
    try {
      ws.close();
    } catch (error) {
      // already closed
    }
  }

  /** Gives up on `ws` (once) and schedules the next attempt. */
  function drop(ws) {
    if (ws !== socket) return;
    detach();
    scheduleRetry();
  }

  function scheduleRetry() {
    clearTimers();
    if (isOffline()) {
      setState('offline');
      return;
    }
    var delay = reconnectDelay(attempt);
    attempt += 1;
    retryTimer = setTimeout(connect, delay);
    setState('reconnecting', { retryAt: Date.now() + delay });
  }

  /** Skips the wait (the "Retry now" button, the network coming back). */
  function retryNow() {
    if (state === 'reconnecting' || state === 'offline') connect();
  }

  /** Closes the socket and stays disconnected until start(). */
  function stop() {
    clearTimers();
    detach();
    setState('stopped');
  }

  /** Closes the socket and opens a new one right away (a new URL). */
  function restart() {
    detach();
    connect();
  }

  /** True if the text went out on an open socket. */
  function send(data) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(data);
    return true;
  }

  window.addEventListener('online', function () {
    attempt = 0;
    retryNow();
  });
  window.addEventListener('offline', function () {
    // An open socket may well survive a short blip; only stop waiting to retry.
    if (state === 'reconnecting') {
      clearTimers();
      setState('offline');
    }
  });

  return { start: connect, retryNow: retryNow, stop: stop, restart: restart, send: send };
}
