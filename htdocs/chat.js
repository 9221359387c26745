/*
 * webchat page script: plain JavaScript, no dependencies, no globals.
 *
 * The page is served with a strict Content-Security-Policy, so this file is
 * the only script and it never builds markup from strings: every message is
 * put into the page with textContent.
 *
 * Pieces, each small so later features (nicknames, rooms, a JSON protocol)
 * can be added without a rewrite:
 *   protocol         encodeMessage / decodeMessage: the only code that knows
 *                    the wire format (for now one text frame = one message,
 *                    plain text, both ways)
 *   endpoint         loadChatUrl: where the WebSocket is, from
 *                    webchat-config.json, else the page's host on port 8000
 *   backoff          reconnect delays: exponential, full jitter, capped
 *   connection       createConnection: one WebSocket at a time, reconnects,
 *                    reports its state
 *   renderer         createMessageList: appends messages, auto-scrolls
 *   UI               createStatusView, createComposer
 *   main             wires them together
 */
(function () {
  'use strict';

  var CONFIG_URL = 'webchat-config.json'; // relative: also works below a path prefix
  var DEFAULT_CHAT_PORT = 8000;

  var RECONNECT_BASE_MS = 500;
  var RECONNECT_CAP_MS = 30000;
  var STABLE_CONNECTION_MS = 10000; // connected this long: the next outage starts the backoff afresh
  var CONNECT_TIMEOUT_MS = 15000; // a handshake that hangs (lost SYN, stuck proxy) counts as failed

  var MAX_MESSAGES = 500; // oldest messages are dropped beyond this
  var STICK_TO_BOTTOM_PX = 48; // "at the bottom" tolerance for auto-scroll

  // ---------------------------------------------------------------- protocol

  /** A received frame as a message object, or null to ignore it. */
  function decodeMessage(data) {
    if (typeof data !== 'string') return null; // binary frames are not chat messages
    return { text: data, receivedAt: new Date() };
  }

  /** What to send for text the user typed. */
  function encodeMessage(text) {
    return text;
  }

  // ---------------------------------------------------------------- endpoint

  /** The chat URL a config value names: ws(s) URLs, or http(s)/relative ones mapped to ws(s). */
  function toWebSocketUrl(value, base) {
    if (typeof value !== 'string' || value === '') return null;
    var url;
    try {
      url = new URL(value, base);
    } catch (e) {
      return null;
    }
    if (url.protocol === 'http:') url.protocol = 'ws:';
    else if (url.protocol === 'https:') url.protocol = 'wss:';
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return null;
    url.hash = '';
    return url.href;
  }

  /** Same host as the page, port 8000, wss when the page came over https. */
  function fallbackChatUrl(location) {
    var url = new URL('/', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.port = String(DEFAULT_CHAT_PORT);
    return url.href;
  }

  function loadChatUrl() {
    var fallback = fallbackChatUrl(window.location);
    return fetch(CONFIG_URL, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (config) {
        var url = toWebSocketUrl(config && config.chatUrl, window.location.href);
        if (!url) throw new Error('no usable "chatUrl"');
        return url;
      })
      .catch(function (error) {
        console.warn('webchat: cannot use ' + CONFIG_URL + ' (' + error.message + '); trying ' + fallback);
        return fallback;
      });
  }

  // ----------------------------------------------------------------- backoff

  /** Delay before reconnect attempt number `attempt` (0-based): uniform in [0, min(cap, base * 2^attempt)). */
  function reconnectDelay(attempt) {
    var ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * Math.pow(2, Math.min(attempt, 30)));
    return Math.random() * ceiling;
  }

  // -------------------------------------------------------------- connection

  /**
   * The connection manager. States, reported through onState(state, info):
   *   'connecting'    a socket is being opened
   *   'connected'     open; send() works
   *   'reconnecting'  waiting to retry; info.retryAt is when (ms since epoch)
   *   'offline'       the browser says there is no network; retries when it returns
   */
  function createConnection(url, handlers) {
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

    /** Gives up on `ws` (once) and schedules the next attempt. */
    function drop(ws) {
      if (ws !== socket) return;
      socket = null;
      try {
        ws.close();
      } catch (error) {
        // already closed
      }
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

    return { start: connect, retryNow: retryNow, send: send };
  }

  // ---------------------------------------------------------------- renderer

  function formatTime(date) {
    return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  /** One message as a list item. Text only: never parsed as HTML. */
  function renderMessage(message) {
    var item = document.createElement('li');
    item.className = 'msg';

    var time = document.createElement('time');
    time.className = 'msg-time';
    time.dateTime = message.receivedAt.toISOString();
    time.textContent = formatTime(message.receivedAt);

    var text = document.createElement('span');
    text.className = 'msg-text';
    text.textContent = message.text;

    item.appendChild(time);
    item.appendChild(text);
    return item;
  }

  /**
   * The message log. Follows new messages while the reader is at the bottom;
   * if they scrolled up to read, it leaves the view alone and offers a
   * "New messages" button instead.
   */
  function createMessageList(list, jumpButton) {
    function isAtBottom() {
      return list.scrollHeight - list.scrollTop - list.clientHeight <= STICK_TO_BOTTOM_PX;
    }

    function scrollToBottom() {
      list.scrollTop = list.scrollHeight;
      jumpButton.hidden = true;
    }

    function dropOldest(keepView) {
      while (list.childElementCount > MAX_MESSAGES) {
        var before = list.scrollHeight;
        list.firstElementChild.remove();
        if (keepView) list.scrollTop -= before - list.scrollHeight;
      }
    }

    function append(message) {
      var follow = isAtBottom();
      list.appendChild(renderMessage(message));
      dropOldest(!follow);
      if (follow) scrollToBottom();
      else jumpButton.hidden = false;
    }

    list.addEventListener('scroll', function () {
      if (isAtBottom()) jumpButton.hidden = true;
    });
    jumpButton.addEventListener('click', scrollToBottom);

    return { append: append, scrollToBottom: scrollToBottom };
  }

  // ---------------------------------------------------------------------- UI

  /**
   * The connection state: a visible line (with a live countdown) and a
   * screen-reader announcement on real changes only, not every second.
   */
  function createStatusView(status, text, announcer, retryButton) {
    var ticker = null;
    var wasConnected = false;

    function secondsUntil(time) {
      return Math.max(1, Math.ceil((time - Date.now()) / 1000));
    }

    function announce(message) {
      if (announcer.textContent !== message) announcer.textContent = message;
    }

    function render(state, info) {
      clearInterval(ticker);
      ticker = null;
      status.dataset.state = state;
      retryButton.hidden = state !== 'reconnecting';

      if (state === 'connected') {
        text.textContent = 'Connected';
        announce('Connected.');
      } else if (state === 'connecting') {
        text.textContent = 'Connecting…';
      } else if (state === 'reconnecting') {
        var update = function () {
          text.textContent = 'Reconnecting in ' + secondsUntil(info.retryAt) + ' s…';
        };
        update();
        ticker = setInterval(update, 250);
        if (wasConnected) announce('Connection lost. Reconnecting…');
      } else if (state === 'offline') {
        text.textContent = 'Offline';
        announce('Offline. Will reconnect when the network is back.');
      }
      wasConnected = state === 'connected';
    }

    return { render: render };
  }

  /** The input and Send button. Enter submits the form; empty text is not sent. */
  function createComposer(form, input, sendButton, onSend) {
    var enabled = false;

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!enabled) return;
      var value = input.value;
      if (value.trim() === '') return;
      if (onSend(value)) input.value = '';
      input.focus();
    });

    function setEnabled(on) {
      enabled = on;
      sendButton.disabled = !on;
    }

    return { setEnabled: setEnabled };
  }

  // -------------------------------------------------------------------- main

  function main() {
    var byId = document.getElementById.bind(document);
    var messages = createMessageList(byId('messages'), byId('jump'));
    var statusView = createStatusView(byId('status'), byId('status-text'), byId('status-announcer'), byId('retry'));
    var connection = null;

    var composer = createComposer(byId('composer'), byId('message'), byId('send'), function (text) {
      if (!connection || !connection.send(encodeMessage(text))) return false;
      messages.scrollToBottom(); // you just spoke: follow the conversation
      return true;
    });

    function onState(state, info) {
      statusView.render(state, info);
      composer.setEnabled(state === 'connected');
    }

    onState('connecting', {});
    loadChatUrl().then(function (url) {
      byId('status').title = 'Chat server: ' + url;
      connection = createConnection(url, {
        onState: onState,
        onMessage: function (data) {
          var message = decodeMessage(data);
          if (message) messages.append(message);
        }
      });
      byId('retry').addEventListener('click', connection.retryNow);
      connection.start();
    });
  }

  main(); // the script is deferred: the document is parsed
}());
