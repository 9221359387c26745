/*
 * webchat page script: plain JavaScript, no dependencies, no globals.
 *
 * The page is served with a strict Content-Security-Policy, so this file is
 * the only script and it never builds markup from strings: every message,
 * nickname and room name is put into the page with textContent.
 *
 * It speaks the chat-room protocol (docs/PROTOCOL.md): JSON events over one
 * WebSocket per room. If the server sends no `welcome` first, it is the plain
 * relay (RelayPlugin) and the page falls back to plain text in and out.
 *
 * The room is named in the page URL's query string:
 *   http://host:8080/?room=H%C3%A0%20N%E1%BB%99i   (room "Hà Nội")
 *   http://host:8080/                             (room "lobby")
 *
 * Pieces, each small:
 *   i18n             the English and Vietnamese strings, picked from
 *                    navigator.languages; the Intl locale for dates
 *   protocol         the only code that knows the wire format: socket URL,
 *                    decoding events, encoding requests, nickname rules
 *   endpoint         loadChatUrl: where the WebSocket is, from
 *                    webchat-config.json, else the page's host on port 8000
 *   backoff          reconnect delays: exponential, full jitter, capped
 *   connection       createConnection: one WebSocket at a time, reconnects,
 *                    reports its state
 *   store            createRoomStore: shown message ids, last id, members
 *   renderer         createMessageList (messages and notices, auto-scroll),
 *                    createUserList, time formatting
 *   UI               status line, composer, nick dialog, toast, title with
 *                    the unread count, the collapsible user list
 *   chat             createChat: what each event does (room and relay modes)
 *   main             wires them together
 */
(function () {
  'use strict';

  // Identities and moderation: htdocs/roomEvents.js, loaded before this file.
  var roomEvents = window.WebchatRoomEvents;

  var CONFIG_URL = 'webchat-config.json'; // relative: also works below a path prefix
  var DEFAULT_CHAT_PORT = 8000;
  var DEFAULT_ROOM = 'lobby';
  var NICK_STORAGE_KEY = 'webchat.nick';
  // The nick tokens the server gave, by nick (nickTokenKey): sent back as
  // token= to get that nick again; another browser asking for it is refused.
  var TOKENS_STORAGE_KEY = 'webchat.tokens';

  var RECONNECT_BASE_MS = 500;
  var RECONNECT_CAP_MS = 30000;
  var STABLE_CONNECTION_MS = 10000; // connected this long: the next outage starts the backoff afresh
  var CONNECT_TIMEOUT_MS = 15000; // a handshake that hangs (lost SYN, stuck proxy) counts as failed
  var WELCOME_TIMEOUT_MS = 1000; // no welcome this long after the socket opened: the plain relay

  // After a dropped connection the server may still hold the old one (until
  // its ping times out) and refuse our nick as taken: keep retrying this long
  // before asking for another nick. A nick remembered from an earlier visit
  // gets a short grace (the previous page's socket closing).
  var RESUME_NICK_GRACE_MS = 75000;
  var STORED_NICK_GRACE_MS = 3000;

  var MAX_MESSAGES = 500; // oldest messages are dropped beyond this
  var STICK_TO_BOTTOM_PX = 48; // "at the bottom" tolerance for auto-scroll
  var TOAST_MS = 6000;
  var MAX_NICK_CHARS = 32;
  var MAX_ROOM_CHARS = 64;

  // -------------------------------------------------------------------- i18n

  var STRINGS = {
    en: {
      loading: 'Loading…',
      connecting: 'Connecting…',
      joining: 'Joining…',
      connected: 'Connected',
      connectedRelay: 'Connected (plain relay)',
      reconnectingIn: 'Reconnecting in {s} s…',
      offline: 'Offline',
      stopped: 'Not connected',
      waitingNick: 'Choose a nickname to join',
      announceConnected: 'Connected.',
      announceLost: 'Connection lost. Reconnecting…',
      announceOffline: 'Offline. Will reconnect when the network is back.',
      retry: 'Retry now',
      roomLabel: 'Room:',
      pageTitle: '{room} · webchat',
      unreadTitle: '({n}) {title}',
      messages: 'Messages',
      noMessages: 'No messages yet.',
      newMessages: 'New messages ↓',
      messageLabel: 'Message',
      placeholder: 'Type a message…',
      send: 'Send',
      you: '(you)',
      people: 'People here',
      peopleToggle: 'People ({n})',
      changeNickPrefix: 'Change nickname:',
      nickTitleFirst: 'Choose a nickname',
      nickTitleChange: 'Change your nickname',
      nickHelp: 'Up to 32 characters. Others in the room see it next to your messages.',
      nickLabel: 'Nickname',
      nickJoin: 'Join',
      nickSave: 'Save',
      nickGuest: 'Join as a guest',
      cancel: 'Cancel',
      nickEmpty: 'Please enter a nickname.',
      nickTooLong: 'A nickname has at most 32 characters.',
      nickInvalid: 'That nickname contains characters that are not allowed.',
      nickTaken: '“{nick}” is already taken in this room. Please choose another nickname.',
      nickReserved: '“{nick}” belongs to someone who used it recently, in another browser. Please choose another nickname.',
      nickRateLimited: 'Too many nickname changes. Try again in a minute.',
      nickGhost: 'Your previous connection is still open on the server; trying again…',
      youJoined: 'You joined {room} as {nick}.',
      joined: '{nick} joined',
      left: '{nick} left',
      renamed: '{old} is now {nick}',
      youRenamed: 'You are now {nick}',
      gap: 'Some messages were missed (messages {from}–{to} are no longer available).',
      gapOne: 'A message was missed (message {from} is no longer available).',
      reset: 'The room was started afresh on the server (after a restart, for instance): earlier messages are gone.',
      rateLimited: 'You are sending messages too fast; the last one was not sent.',
      tooLong: 'That message is too long; it was not sent.',
      badRequest: 'The server did not understand a request.',
      flooding: 'Disconnected for sending too fast.',
      roomFull: 'The room is full; trying again later…',
      tooManyRooms: 'The server has too many rooms open; trying again later…',
      invalidRoom: '“{room}” is not a valid room name.',
      serverError: 'Server error: {message}',
      delayed: 'The chat server lost its connection to the other servers; your message will be sent when it is back.',
      unavailable: 'The chat server cannot reach the other servers; your message was not sent.',
      joinUnavailable: 'The chat server cannot reach the other servers; trying again…',
      relayMode: 'Plain relay: no rooms or nicknames here.',
      verified: 'verified identity',
      topicLabel: 'Topic:',
      topicSet: '{by} set the topic: {text}',
      topicCleared: '{by} cleared the topic',
      removed: 'Message removed by a moderator',
      removedBy: 'Message removed by a moderator ({by})',
      messageActions: 'Moderate the message of {nick}',
      actionDelete: 'Delete this message',
      actionKick: 'Remove {nick} from the room',
      actionMute: 'Mute {nick} for 10 minutes',
      actionBan: 'Ban {nick} for a day',
      kicked: 'You were removed from the room by {by}.',
      kickedBecause: 'You were removed from the room by {by}: {reason}',
      banned: 'You are banned from this room.',
      bannedFor: 'You are banned from this room for {duration}.',
      muted: 'A moderator muted you; your message was not sent.',
      mutedFor: 'A moderator muted you for {duration}; your message was not sent.',
      slowMode: 'Slow mode: wait before sending again; your message was not sent.',
      slowModeFor: 'Slow mode: you can send again in {duration}; your message was not sent.',
      forbidden: 'Only moderators can do that.',
      unauthorized: 'Your sign-in was not accepted (expired or not valid). Sign in again and reload the page.',
      tokenExpired: 'Your sign-in expired. Sign in again and reload the page.',
    },
    vi: {
      loading: 'Đang tải…',
      connecting: 'Đang kết nối…',
      joining: 'Đang vào phòng…',
      connected: 'Đã kết nối',
      connectedRelay: 'Đã kết nối (chuyển tiếp đơn giản)',
      reconnectingIn: 'Kết nối lại sau {s} giây…',
      offline: 'Mất mạng',
      stopped: 'Chưa kết nối',
      waitingNick: 'Chọn biệt danh để vào phòng',
      announceConnected: 'Đã kết nối.',
      announceLost: 'Mất kết nối. Đang kết nối lại…',
      announceOffline: 'Mất mạng. Sẽ kết nối lại khi có mạng.',
      retry: 'Thử lại ngay',
      roomLabel: 'Phòng:',
      pageTitle: '{room} · webchat',
      unreadTitle: '({n}) {title}',
      messages: 'Tin nhắn',
      noMessages: 'Chưa có tin nhắn nào.',
      newMessages: 'Tin nhắn mới ↓',
      messageLabel: 'Tin nhắn',
      placeholder: 'Nhập tin nhắn…',
      send: 'Gửi',
      you: '(bạn)',
      people: 'Người trong phòng',
      peopleToggle: 'Mọi người ({n})',
      changeNickPrefix: 'Đổi biệt danh:',
      nickTitleFirst: 'Chọn biệt danh',
      nickTitleChange: 'Đổi biệt danh',
      nickHelp: 'Tối đa 32 ký tự. Mọi người trong phòng sẽ thấy tên này cạnh tin nhắn của bạn.',
      nickLabel: 'Biệt danh',
      nickJoin: 'Vào phòng',
      nickSave: 'Lưu',
      nickGuest: 'Vào với tư cách khách',
      cancel: 'Hủy',
      nickEmpty: 'Vui lòng nhập biệt danh.',
      nickTooLong: 'Biệt danh dài tối đa 32 ký tự.',
      nickInvalid: 'Biệt danh có ký tự không được phép.',
      nickTaken: '“{nick}” đã có người dùng trong phòng này. Vui lòng chọn biệt danh khác.',
      nickReserved: '“{nick}” thuộc về người đã dùng nó gần đây, trên một trình duyệt khác. Vui lòng chọn biệt danh khác.',
      nickRateLimited: 'Bạn đổi biệt danh quá nhiều lần. Hãy thử lại sau một phút.',
      nickGhost: 'Kết nối trước của bạn vẫn còn mở trên máy chủ; đang thử lại…',
      youJoined: 'Bạn đã vào phòng {room} với tên {nick}.',
      joined: '{nick} đã vào phòng',
      left: '{nick} đã rời phòng',
      renamed: '{old} đã đổi tên thành {nick}',
      youRenamed: 'Bạn đã đổi tên thành {nick}',
      gap: 'Một số tin nhắn đã bị bỏ lỡ (tin nhắn {from}–{to} không còn nữa).',
      gapOne: 'Một tin nhắn đã bị bỏ lỡ (tin nhắn {from} không còn nữa).',
      reset: 'Phòng đã được tạo lại trên máy chủ (chẳng hạn sau khi khởi động lại): các tin nhắn trước đó không còn nữa.',
      rateLimited: 'Bạn gửi tin nhắn quá nhanh; tin nhắn vừa rồi chưa được gửi.',
      tooLong: 'Tin nhắn quá dài; chưa được gửi.',
      badRequest: 'Máy chủ không hiểu một yêu cầu.',
      flooding: 'Bị ngắt kết nối vì gửi quá nhanh.',
      roomFull: 'Phòng đã đầy; sẽ thử lại sau…',
      tooManyRooms: 'Máy chủ đang mở quá nhiều phòng; sẽ thử lại sau…',
      invalidRoom: '“{room}” không phải là tên phòng hợp lệ.',
      serverError: 'Lỗi máy chủ: {message}',
      delayed: 'Máy chủ chat mất kết nối với các máy chủ khác; tin nhắn của bạn sẽ được gửi khi kết nối trở lại.',
      unavailable: 'Máy chủ chat không kết nối được với các máy chủ khác; tin nhắn của bạn chưa được gửi.',
      joinUnavailable: 'Máy chủ chat không kết nối được với các máy chủ khác; đang thử lại…',
      relayMode: 'Chuyển tiếp đơn giản: không có phòng hay biệt danh.',
      verified: 'danh tính đã xác minh',
      topicLabel: 'Chủ đề:',
      topicSet: '{by} đã đặt chủ đề: {text}',
      topicCleared: '{by} đã xóa chủ đề',
      removed: 'Tin nhắn đã bị người điều hành xóa',
      removedBy: 'Tin nhắn đã bị người điều hành xóa ({by})',
      messageActions: 'Điều hành tin nhắn của {nick}',
      actionDelete: 'Xóa tin nhắn này',
      actionKick: 'Mời {nick} ra khỏi phòng',
      actionMute: 'Cấm {nick} nói trong 10 phút',
      actionBan: 'Cấm {nick} vào phòng trong một ngày',
      kicked: 'Bạn đã bị {by} mời ra khỏi phòng.',
      kickedBecause: 'Bạn đã bị {by} mời ra khỏi phòng: {reason}',
      banned: 'Bạn bị cấm vào phòng này.',
      bannedFor: 'Bạn bị cấm vào phòng này trong {duration}.',
      muted: 'Người điều hành đã cấm bạn nói; tin nhắn của bạn chưa được gửi.',
      mutedFor: 'Người điều hành đã cấm bạn nói trong {duration}; tin nhắn của bạn chưa được gửi.',
      slowMode: 'Chế độ chậm: hãy đợi rồi gửi lại; tin nhắn của bạn chưa được gửi.',
      slowModeFor: 'Chế độ chậm: bạn có thể gửi lại sau {duration}; tin nhắn của bạn chưa được gửi.',
      forbidden: 'Chỉ người điều hành mới làm được việc này.',
      unauthorized: 'Đăng nhập của bạn không được chấp nhận (hết hạn hoặc không hợp lệ). Hãy đăng nhập lại rồi tải lại trang.',
      tokenExpired: 'Phiên đăng nhập của bạn đã hết hạn. Hãy đăng nhập lại rồi tải lại trang.',
    },
  };

  /**
   * The UI language: the first of the browser's preferred languages we have
   * strings for (else English), and the locale Intl formats dates in (that
   * same preference, so "en-GB" gets a 24-hour clock and "vi-VN" Vietnamese).
   */
  function pickLanguage(languages) {
    var list = Array.prototype.slice.call(languages || []);
    for (var i = 0; i < list.length; i += 1) {
      var tag = String(list[i]);
      var primary = tag.toLowerCase().split('-')[0];
      if (Object.prototype.hasOwnProperty.call(STRINGS, primary)) {
        var locale = tag;
        try {
          locale = Intl.getCanonicalLocales(tag)[0] || primary;
        } catch (e) {
          locale = primary;
        }
        return { lang: primary, locale: locale };
      }
    }
    return { lang: 'en', locale: 'en' };
  }

  function createI18n(languages) {
    var picked = pickLanguage(languages);
    var table = STRINGS[picked.lang];

    /** The string `key` with {name} placeholders filled in (values are text, never markup). */
    function t(key, params) {
      var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : STRINGS.en[key];
      if (text === undefined) return key;
      return text.replace(/\{(\w+)\}/g, function (whole, name) {
        return params && params[name] !== undefined ? String(params[name]) : whole;
      });
    }

    /** Translates the static page: data-i18n (text), data-i18n-placeholder, -aria-label, -empty. */
    function apply(root) {
      document.documentElement.lang = picked.lang;
      Array.prototype.forEach.call(root.querySelectorAll('[data-i18n]'), function (el) {
        el.textContent = t(el.dataset.i18n);
      });
      Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-placeholder]'), function (el) {
        el.placeholder = t(el.dataset.i18nPlaceholder);
      });
      Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-aria-label]'), function (el) {
        el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
      });
      Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-empty]'), function (el) {
        el.dataset.empty = t(el.dataset.i18nEmpty);
      });
    }

    return { lang: picked.lang, locale: picked.locale, t: t, apply: apply };
  }

  // ---------------------------------------------------------------- protocol

  /** Length in characters (code points), as the server counts them. */
  function charCount(text) {
    return Array.from(text).length;
  }

  // What names may not contain (as the server checks): C0 and C1 controls,
  // DEL, line/paragraph separators, bidirectional controls, byte order marks.
  var CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

  /**
   * Names as the page sends them: without surrounding spaces and in Unicode
   * NFC, the form the server shows them in (it compares them by a key that
   * also folds case and look-alikes: "Alice" is "alice" there).
   */
  function cleanName(value) {
    return value.trim().normalize('NFC');
  }

  /** The room the page URL names (?room=...; "+" or %20 for a space), or "lobby". */
  function roomFromLocation(location) {
    var value = new URLSearchParams(location.search).get('room');
    value = value === null ? '' : cleanName(value);
    return value === '' ? DEFAULT_ROOM : value;
  }

  function roomProblem(room) {
    if (room === '' || charCount(room) > MAX_ROOM_CHARS || CONTROL_CHARS.test(room) || room.indexOf('/') !== -1) return 'invalidRoom';
    return null;
  }

  /** Null if `nick` (already trimmed) is acceptable, else the key of the message saying why not. */
  function nickProblem(nick) {
    if (nick === '') return 'nickEmpty';
    if (charCount(nick) > MAX_NICK_CHARS) return 'nickTooLong';
    if (CONTROL_CHARS.test(nick)) return 'nickInvalid';
    return null;
  }

  /**
   * The socket URL for joining `room`: <chatUrl><room>?nick=...&token=...&since=...&epoch=...
   * Every part percent-encoded as UTF-8 (a space is %20, never "+").
   * No nick: the server names us guest-<n>. token: the nick's, kept from
   * an earlier welcome. since 0: the whole history. epoch goes with
   * since: the room incarnation those ids belong to (a room that started
   * afresh answers with a reset).
   */
  function roomSocketUrl(chatUrl, room, nick, token, since, epoch) {
    var base = chatUrl.charAt(chatUrl.length - 1) === '/' ? chatUrl : chatUrl + '/';
    var query = [];
    if (nick) query.push('nick=' + encodeURIComponent(nick));
    if (token) query.push('token=' + encodeURIComponent(token));
    if (since > 0) {
      query.push('since=' + String(since));
      if (epoch) query.push('epoch=' + encodeURIComponent(epoch));
    }
    return base + encodeURIComponent(room) + (query.length ? '?' + query.join('&') : '');
  }

  function isString(value) {
    return typeof value === 'string';
  }

  function isId(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
  }

  /**
   * A chat message event as the page uses it, or null if it is malformed: a
   * message, or the tombstone of one a moderator deleted ({ id, deleted, by }).
   */
  function toMessage(event) {
    var tombstone = roomEvents.toTombstone(event);
    if (tombstone) return { id: tombstone.id, deleted: true, by: tombstone.by, date: new Date() };
    if (!event || !isId(event.id) || !isString(event.nick) || !isString(event.text)) return null;
    var ts = typeof event.ts === 'number' && isFinite(event.ts) ? event.ts : Date.now();
    return {
      id: event.id,
      nick: event.nick,
      text: event.text,
      date: new Date(ts),
      from: isString(event.from) ? event.from : null,
      verified: event.verified === true,
    };
  }

  /** A received frame as a protocol event (a JSON object with a string `type`), or null. */
  function decodeEvent(data) {
    if (!isString(data) || data.charAt(0) !== '{') return null;
    var value;
    try {
      value = JSON.parse(data);
    } catch (e) {
      return null;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value) || !isString(value.type)) return null;
    return value;
  }

  function encodeChatMessage(text) {
    return JSON.stringify({ type: 'message', text: text });
  }

  function encodeNickChange(nick) {
    return JSON.stringify({ type: 'nick', nick: nick });
  }

  /** The relay takes and gives plain text. */
  function encodeRelayMessage(text) {
    return text;
  }

  // The error codes that refuse a nick, at join (a close follows) or on a
  // change, and what the nick dialog says then.
  var NICK_ERRORS = { nick_taken: 'nickTaken', nick_reserved: 'nickReserved', invalid_nick: 'nickInvalid' };

  /** The string key of a nick refusal, or null for other codes. */
  function nickErrorKey(code) {
    return Object.prototype.hasOwnProperty.call(NICK_ERRORS, code) ? NICK_ERRORS[code] : null;
  }

  /**
   * Where a nick's token is kept: the server compares nicks far more
   * thoroughly (look-alikes too), this only folds case and width, so that
   * "Alice" typed as "alice" still finds its token.
   */
  function nickTokenKey(nick) {
    return nick.normalize('NFKC').toLowerCase();
  }

  function loadTokens() {
    try {
      var tokens = JSON.parse(window.localStorage.getItem(TOKENS_STORAGE_KEY) || '{}');
      return tokens && typeof tokens === 'object' && !Array.isArray(tokens) ? tokens : {};
    } catch (e) {
      return {};
    }
  }

  // The tokens this page was given, by nickTokenKey: what it sends back when
  // localStorage cannot keep them (disabled or full).
  var tokensOfThisPage = {};

  /** The token kept for nick (in localStorage, else by this page), or null. */
  function storedToken(nick) {
    var key = nickTokenKey(nick);
    var token = loadTokens()[key];
    if (!isString(token)) token = tokensOfThisPage[key];
    return isString(token) ? token : null;
  }

  function storeToken(nick, token) {
    var key = nickTokenKey(nick);
    tokensOfThisPage[key] = token;
    var tokens = loadTokens();
    tokens[key] = token;
    try {
      window.localStorage.setItem(TOKENS_STORAGE_KEY, JSON.stringify(tokens));
    } catch (e) {
      // storage disabled or full: the nick stays ours until this page closes
    }
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
    url.search = '';
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
   * The connection manager. `getUrl()` is asked before every attempt (the
   * URL carries the last message id). States, reported through
   * onState(state, info):
   *   'connecting'    a socket is being opened
   *   'connected'     open; send() works
   *   'reconnecting'  waiting to retry; info.retryAt is when (ms since epoch)
   *   'offline'       the browser says there is no network; retries when it returns
   *   'stopped'       stop() was called; start() again to reconnect
   */
  function createConnection(getUrl, handlers) {
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

  // ------------------------------------------------------------------- store

  /**
   * What the page knows about the room: the ids of the messages it showed
   * (to drop duplicates, whatever the server does), the last id and the
   * room's epoch they belong to (for `since` and `epoch`), the members
   * (and which of them a signed identity vouches for) and who one is (the
   * welcome's nick, `from` and roles, see roomEvents.selfFromWelcome).
   */
  function createRoomStore() {
    var seen = new Set();
    var lastId = 0;
    var epoch = null;
    var users = [];
    var verified = new Set();
    var self = roomEvents.selfFromWelcome(null, null);

    /** True if the message is new (and now remembered). */
    function addMessage(id) {
      if (seen.has(id) || id <= lastId) return false;
      seen.add(id);
      lastId = id;
      if (seen.size > MAX_MESSAGES * 2) {
        // Forget the oldest half; `id <= lastId` still rejects them.
        Array.from(seen).slice(0, MAX_MESSAGES).forEach(function (old) { seen.delete(old); });
      }
      return true;
    }

    function clearMessages() {
      seen.clear();
      lastId = 0;
      epoch = null;
    }

    /** The welcome's members; verifiedIndexes: the indexes in list of the verified ones. */
    function setUsers(list, verifiedIndexes) {
      users = list.filter(isString).filter(function (name, i, all) { return all.indexOf(name) === i; });
      verified = new Set();
      (Array.isArray(verifiedIndexes) ? verifiedIndexes : []).forEach(function (index) {
        if (isString(list[index])) verified.add(list[index]);
      });
    }

    function addUser(name, isVerified) {
      if (users.indexOf(name) === -1) users.push(name);
      if (isVerified) verified.add(name);
    }

    function removeUser(name) {
      users = users.filter(function (other) { return other !== name; });
      verified.delete(name);
    }

    function renameUser(old, name, isVerified) {
      removeUser(old);
      addUser(name, isVerified);
    }

    return {
      addMessage: addMessage,
      clearMessages: clearMessages,
      lastId: function () { return lastId; },
      epoch: function () { return epoch; },
      setEpoch: function (value) { epoch = isString(value) && value ? value : null; },
      users: function () { return users.slice(); },
      setUsers: setUsers,
      addUser: addUser,
      removeUser: removeUser,
      renameUser: renameUser,
      isVerified: function (name) { return verified.has(name); },
      nick: function () { return self.nick; },
      setNick: function (value) { self.nick = value; },
      self: function () { return self; },
      setSelf: function (value) { self = value; },
    };
  }

  // ---------------------------------------------------------------- renderer

  /** Times in the reader's time zone and language: "14:05", or with the day when not today. */
  function createTimeFormat(locale) {
    var time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
    var dayAndTime = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    var full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' });

    function sameDay(a, b) {
      return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
    }

    return {
      short: function (date) { return sameDay(date, new Date()) ? time.format(date) : dayAndTime.format(date); },
      full: function (date) { return full.format(date); },
    };
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function timeElement(date, format) {
    var time = element('time', 'msg-time', format.short(date));
    time.dateTime = date.toISOString();
    time.title = format.full(date);
    return time;
  }

  /** The mark beside a name a signed identity vouches for. */
  function verifiedMark(t) {
    var mark = element('span', 'verified-mark', '✓');
    mark.title = t('verified');
    mark.setAttribute('role', 'img');
    mark.setAttribute('aria-label', t('verified'));
    return mark;
  }

  /** Turns a message's list item into its tombstone: the text is gone, who removed it is said. */
  function showRemoved(item, by, t) {
    item.className = 'msg msg-removed';
    item.replaceChildren(element('p', 'msg-text', by ? t('removedBy', { by: by }) : t('removed')));
  }

  /**
   * A moderator's menu for one message: a button (at the end of the
   * message's first line) that opens a group of actions under the text
   * (delete; for others' messages also kick, mute 10 min, ban one day), all
   * buttons, so Tab and Enter reach them; Escape closes it (see createChat).
   * The actions carry what the request needs in data-*.
   */
  function renderModeration(message, own, t) {
    var toggle = element('button', 'msg-moderation-toggle', '⋯');
    toggle.type = 'button';
    toggle.setAttribute('aria-label', t('messageActions', { nick: message.nick }));
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', 'moderation-' + message.id);
    var menu = element('div', 'msg-moderation-menu');
    menu.id = 'moderation-' + message.id;
    menu.setAttribute('role', 'group');
    menu.setAttribute('aria-label', t('messageActions', { nick: message.nick }));
    menu.hidden = true;
    var actions = own ? ['delete'] : ['delete', 'kick', 'mute', 'ban'];
    var labels = { delete: 'actionDelete', kick: 'actionKick', mute: 'actionMute', ban: 'actionBan' };
    actions.forEach(function (action) {
      var button = element('button', 'msg-moderation-action', t(labels[action], { nick: message.nick }));
      button.type = 'button';
      button.dataset.action = action;
      button.dataset.id = String(message.id);
      button.dataset.nick = message.nick;
      menu.appendChild(button);
    });
    return { toggle: toggle, menu: menu };
  }

  /**
   * One message as a list item. Text only: never parsed as HTML.
   * message: { text, date, nick?, own?, id?, verified?, deleted?, by? } (no
   * nick: a relay message; deleted: a tombstone). moderator: the reader may
   * moderate it (a menu of actions).
   */
  function renderMessage(message, format, t, moderator) {
    var item = element('li', 'msg');
    if (message.id) item.dataset.id = String(message.id);
    if (message.deleted) {
      showRemoved(item, message.by, t);
      return item;
    }
    if (message.nick === undefined) {
      item.classList.add('msg-plain');
      item.appendChild(timeElement(message.date, format));
      item.appendChild(element('span', 'msg-text', message.text));
      return item;
    }
    if (message.own) item.classList.add('msg-own');
    var meta = element('p', 'msg-meta');
    meta.appendChild(element('span', 'msg-nick', message.nick));
    if (message.verified) meta.appendChild(verifiedMark(t));
    if (message.own) {
      meta.appendChild(document.createTextNode(' '));
      meta.appendChild(element('span', 'msg-you', t('you')));
    }
    meta.appendChild(document.createTextNode(' '));
    meta.appendChild(timeElement(message.date, format));
    var moderation = moderator && message.id ? renderModeration(message, message.own, t) : null;
    if (moderation) meta.appendChild(moderation.toggle);
    item.appendChild(meta);
    item.appendChild(element('p', 'msg-text', message.text));
    if (moderation) item.appendChild(moderation.menu);
    return item;
  }

  /** A notice (joins, leaves, gaps...) as a list item. */
  function renderNotice(text, date, format, kind) {
    var item = element('li', 'notice' + (kind ? ' notice-' + kind : ''));
    item.appendChild(timeElement(date, format));
    item.appendChild(document.createTextNode(' '));
    item.appendChild(element('span', 'notice-text', text));
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

    /** Appends list items (several at once: one layout, one announcement). */
    function append(items) {
      if (!items.length) return;
      var follow = isAtBottom();
      var fragment = document.createDocumentFragment();
      items.forEach(function (item) { fragment.appendChild(item); });
      list.appendChild(fragment);
      dropOldest(!follow);
      if (follow) scrollToBottom();
      else jumpButton.hidden = false;
    }

    function clear() {
      list.replaceChildren();
      jumpButton.hidden = true;
    }

    /** The list item of message id, if it is still shown. */
    function find(id) {
      return list.querySelector('li.msg[data-id="' + String(id) + '"]');
    }

    list.addEventListener('scroll', function () {
      if (isAtBottom()) jumpButton.hidden = true;
    });
    jumpButton.addEventListener('click', scrollToBottom);

    return { element: list, append: append, clear: clear, scrollToBottom: scrollToBottom, find: find };
  }

  /** The member list: sorted for the reader's language, one's own nick marked. */
  function createUserList(list, count, toggleText, t, locale) {
    var collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });

    function render(users, ownNick, isVerified) {
      var sorted = users.slice().sort(collator.compare);
      list.replaceChildren.apply(list, sorted.map(function (name) {
        var item = element('li', 'user');
        item.appendChild(element('span', 'user-name', name));
        if (isVerified(name)) item.appendChild(verifiedMark(t));
        if (name === ownNick) {
          item.classList.add('user-own');
          item.appendChild(document.createTextNode(' '));
          item.appendChild(element('span', 'user-you', t('you')));
        }
        return item;
      }));
      count.textContent = '(' + sorted.length + ')';
      toggleText.textContent = t('peopleToggle', { n: sorted.length });
    }

    return { render: render };
  }

  // ---------------------------------------------------------------------- UI

  /**
   * The connection state: a visible line (with a live countdown) and a
   * screen-reader announcement on real changes only, not every second.
   * States: the connection's, plus 'joining' (open, waiting for the room)
   * and 'waiting' (for the first nick).
   */
  function createStatusView(status, text, announcer, retryButton, t) {
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
      status.dataset.state = state === 'joining' ? 'connecting' : state;
      retryButton.hidden = state !== 'reconnecting';

      if (state === 'connected') {
        text.textContent = info.relay ? t('connectedRelay') : t('connected');
        announce(t('announceConnected'));
      } else if (state === 'connecting') {
        text.textContent = t('connecting');
      } else if (state === 'joining') {
        text.textContent = t('joining');
      } else if (state === 'reconnecting') {
        var update = function () {
          text.textContent = t('reconnectingIn', { s: secondsUntil(info.retryAt) });
        };
        update();
        ticker = setInterval(update, 250);
        if (wasConnected) announce(t('announceLost'));
      } else if (state === 'offline') {
        text.textContent = t('offline');
        announce(t('announceOffline'));
      } else if (state === 'stopped') {
        text.textContent = t('stopped');
      } else if (state === 'waiting') {
        text.textContent = t('waitingNick');
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

    /** Puts back text the server refused, unless the user already typed something else. */
    function restore(text) {
      if (input.value === '') input.value = text;
    }

    return { setEnabled: setEnabled, restore: restore };
  }

  /**
   * The nickname dialog (a modal <dialog>: focus moves into it and stays
   * there, Escape cancels). open(options) with
   *   first:   true for the first join (the cancel button joins as a guest)
   *   value:   the nick to prefill
   *   error:   a message to show (e.g. the nick was taken)
   *   onDone(nick) / onCancel()
   * Focus goes back to where it was (or to `returnFocus`) when it closes.
   */
  function createNickDialog(dialog, t) {
    var form = dialog.querySelector('form');
    var input = dialog.querySelector('#nick-input');
    var error = dialog.querySelector('#nick-error');
    var title = dialog.querySelector('#nick-title');
    var submit = dialog.querySelector('#nick-submit');
    var cancel = dialog.querySelector('#nick-cancel');
    var current = null;

    function showError(message) {
      error.textContent = message || '';
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }

    function close(result) {
      var options = current;
      if (!options) return;
      current = null;
      if (dialog.open) dialog.close();
      var target = options.returnFocus || options.openedFrom;
      if (target && document.contains(target) && !target.disabled) target.focus();
      if (result === null) {
        if (options.onCancel) options.onCancel();
      } else {
        options.onDone(result);
      }
    }

    function open(options) {
      var reopened = current !== null;
      current = options;
      if (!reopened) current.openedFrom = document.activeElement;
      title.textContent = options.first ? t('nickTitleFirst') : t('nickTitleChange');
      submit.textContent = options.first ? t('nickJoin') : t('nickSave');
      cancel.textContent = options.first ? t('nickGuest') : t('cancel');
      input.value = options.value || '';
      showError(options.error || '');
      if (!dialog.open) dialog.showModal();
      input.focus();
      input.select();
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var nick = cleanName(input.value);
      var problem = nickProblem(nick);
      if (problem) {
        showError(t(problem));
        input.focus();
        return;
      }
      close(nick);
    });
    input.addEventListener('input', function () {
      if (error.textContent) showError('');
    });
    cancel.addEventListener('click', function () { close(null); });
    // Escape (the dialog's own cancel): close it ourselves, as Cancel would.
    dialog.addEventListener('cancel', function (event) {
      event.preventDefault();
      close(null);
    });
    // Closed some other way (the browser may force-close on repeated Escape).
    dialog.addEventListener('close', function () {
      if (current) close(null);
    });

    return { open: open, isOpen: function () { return current !== null; } };
  }

  /** The room's topic under its name; hidden while it has none. */
  function createTopicView(box, text) {
    return {
      show: function (topic) {
        text.textContent = topic;
        box.hidden = topic === '';
      },
    };
  }

  /** A short notice over the messages that goes away by itself (or with Escape). */
  function createToast(toast) {
    var timer = null;

    function hide() {
      clearTimeout(timer);
      toast.textContent = '';
    }

    function show(text) {
      clearTimeout(timer);
      toast.textContent = text;
      timer = setTimeout(hide, TOAST_MS);
    }

    return { show: show, hide: hide, isShown: function () { return toast.textContent !== ''; } };
  }

  /** The tab title: "(3) lobby · webchat" while the tab is hidden and messages came in. */
  function createTitle(t) {
    var base = document.title;
    var unread = 0;

    function render() {
      document.title = unread > 0 ? t('unreadTitle', { n: unread, title: base }) : base;
    }

    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible' && unread > 0) {
        unread = 0;
        render();
      }
    });

    return {
      setBase: function (title) { base = title; render(); },
      /** A message arrived: counts only while the tab is hidden. */
      bump: function () {
        if (document.visibilityState !== 'hidden') return;
        unread += 1;
        render();
      },
    };
  }

  /** The member list as a side panel; on small screens a button shows and hides it. */
  function createUsersPanel(app, panel, toggle) {
    function setOpen(open) {
      app.classList.toggle('users-open', open);
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    }

    toggle.addEventListener('click', function () {
      setOpen(!app.classList.contains('users-open'));
    });

    return {
      setAvailable: function (on) {
        panel.hidden = !on;
        toggle.hidden = !on;
        if (!on) setOpen(false);
      },
      /** Escape: closes it if open; true if it did. */
      closeIfOpen: function () {
        if (!app.classList.contains('users-open') || getComputedStyle(toggle).display === 'none') return false;
        setOpen(false);
        toggle.focus();
        return true;
      },
    };
  }

  // -------------------------------------------------------------------- chat

  /**
   * The chat itself: what the page does with each event, in room mode (the
   * chat-room protocol) or relay mode (plain text; no welcome came).
   */
  function createChat(options) {
    var ui = options.ui;
    var t = options.t;
    var format = options.format;
    var locale = options.locale;
    var room = options.room;
    // The signed identity the embedding site handed over (a JWT), or null.
    var identity = options.identity;
    var store = createRoomStore();
    var connection = null;
    var chatUrl = null;

    var requestedNick = null; // the nick we join with (null: a guest)
    var ownToken = null; // the nick token of this connection (the welcome's)
    var pendingNick = null; // a nick change we asked for
    var mode = null; // this connection: 'pending' (no welcome yet), 'room', 'relay'
    var welcomeTimer = null;
    var sentSince = 0; // the `since` of the current connection
    var sentEpoch = null; // and its `epoch`
    var welcomedOnce = false; // a welcome arrived on some connection
    // How long "nick taken" may be our own earlier connection, still in the
    // room: 0 for a nick just typed, a little for a remembered one, long when
    // resuming after a drop. nickGraceUntil: the deadline, once refused.
    var nickGraceMs = 0;
    var nickGraceUntil = 0;
    // Texts sent and not yet echoed, to put a refused one back in the input.
    // Errors may overtake echoes, so only when exactly one is outstanding.
    var unechoed = [];

    function now() {
      return new Date();
    }

    function notice(text, kind, date) {
      ui.messages.append([renderNotice(text, date || now(), format, kind)]);
    }

    function socketUrl() {
      sentSince = store.lastId();
      sentEpoch = sentSince > 0 ? store.epoch() : null;
      // A signed identity is who we are; without one, the nick's own token.
      var token = identity || (requestedNick ? storedToken(requestedNick) : null);
      return roomSocketUrl(chatUrl, room, requestedNick, token, sentSince, sentEpoch);
    }

    function renderUsers() {
      ui.users.render(store.users(), store.nick(), store.isVerified);
    }

    function setNickShown(nick) {
      ui.nickCurrent.textContent = nick || '';
      ui.nickButton.hidden = !nick;
    }

    function rememberNick(nick) {
      try {
        window.localStorage.setItem(NICK_STORAGE_KEY, nick);
      } catch (e) {
        // storage disabled: the nick is asked again next time
      }
    }

    function setMode(next) {
      mode = next;
      ui.app.dataset.mode = next || 'pending';
      var roomMode = next === 'room';
      ui.usersPanel.setAvailable(roomMode);
      if (next === 'relay') {
        ui.title.setBase('webchat');
        setNickShown(null);
        ui.topic.show('');
      } else if (roomMode) {
        ui.title.setBase(t('pageTitle', { room: room }));
      }
    }

    // ---- connection events

    function onState(state, info) {
      clearTimeout(welcomeTimer);
      if (state === 'connected') {
        // The socket is open; the room says hello first. If it does not, it
        // is the plain relay.
        mode = 'pending';
        ui.status.render('joining', {});
        ui.composer.setEnabled(false);
        welcomeTimer = setTimeout(enterRelayMode, WELCOME_TIMEOUT_MS);
        return;
      }
      mode = null;
      ui.status.render(state, info);
      ui.composer.setEnabled(false);
    }

    function onMessage(data) {
      var event = decodeEvent(data);
      if (mode === 'pending' || mode === 'relay') {
        if (event && event.type === 'welcome') {
          onWelcome(event);
          return;
        }
        if (mode === 'pending' && event && event.type === 'error') {
          onJoinError(event);
          return;
        }
        if (mode === 'pending') enterRelayMode();
        onRelayText(data);
        return;
      }
      if (mode !== 'room') return;
      if (!event) {
        console.warn('webchat: ignoring a frame that is not a chat-room event');
        return;
      }
      switch (event.type) {
        case 'message': onChatMessage(event, true); break;
        case 'join': onJoin(event); break;
        case 'leave': onLeave(event); break;
        case 'nick': onNick(event); break;
        case 'error': onError(event); break;
        case 'welcome': onWelcome(event); break; // not expected twice; harmless
        case 'deleted': onDeleted(event); break;
        case 'topic': onTopic(event); break;
        case 'kicked': onKicked(event); break;
        case 'authenticated': onAuthenticated(event); break;
        default: console.warn('webchat: ignoring an event of unknown type ' + JSON.stringify(event.type));
      }
    }

    // ---- relay mode

    function enterRelayMode() {
      clearTimeout(welcomeTimer);
      if (mode !== 'pending') return;
      setMode('relay');
      ui.status.render('connected', { relay: true });
      ui.composer.setEnabled(true);
    }

    function onRelayText(data) {
      if (!isString(data)) return; // binary frames are not chat messages
      ui.messages.append([renderMessage({ text: data, date: now() }, format, t)]);
      ui.title.bump();
    }

    // ---- room mode

    function onWelcome(welcome) {
      clearTimeout(welcomeTimer);
      var wasRelay = mode === 'relay';
      setMode('room');
      store.setSelf(roomEvents.selfFromWelcome(welcome, requestedNick));
      var nick = store.nick();
      setNickShown(nick);
      ui.topic.show(roomEvents.toTopic(welcome).text);
      if (requestedNick && nick === requestedNick) rememberNick(nick);
      ownToken = isString(welcome.token) ? welcome.token : null;
      if (requestedNick && nick === requestedNick && ownToken) storeToken(nick, ownToken);
      nickGraceMs = RESUME_NICK_GRACE_MS; // from now on, a refusal may be our old connection
      nickGraceUntil = 0;
      unechoed = []; // what was sent before is in the history now, or lost

      var lastId = isId(welcome.lastId) ? welcome.lastId : 0;
      var history = Array.isArray(welcome.history) ? welcome.history.map(toMessage).filter(Boolean) : [];
      // Reset: the room we knew is gone (a restart without persistence, a
      // crash, a forgotten room): its epoch changed. Also when the room's
      // last id is below ours or its epoch is not ours, whatever the flag says.
      var epoch = isString(welcome.epoch) ? welcome.epoch : null;
      var reset = sentSince > 0 &&
        (welcome.reset === true || lastId < sentSince || (sentEpoch !== null && epoch !== null && epoch !== sentEpoch));
      if (reset || wasRelay) {
        store.clearMessages();
        ui.messages.clear();
      }
      store.setEpoch(epoch);
      if (reset) {
        notice(t('reset'), 'warning');
        // The history should hold the room's messages up to lastId; if it
        // stops short (only those "after since"), join again without since.
        var newest = history.length ? history[history.length - 1].id : 0;
        if (lastId > newest) {
          connection.restart();
          return;
        }
      }
      var gap = welcome.gap;
      if (gap && typeof gap === 'object' && isId(gap.from) && isId(gap.to)) {
        notice(t(gap.from === gap.to ? 'gapOne' : 'gap', { from: gap.from, to: gap.to }), 'warning');
      }
      appendMessages(history, false);
      store.setUsers(Array.isArray(welcome.users) ? welcome.users : [], welcome.verifiedIndexes);
      if (nick) store.addUser(nick, store.self().verified);
      renderUsers();
      if (!welcomedOnce) notice(t('youJoined', { room: room, nick: nick }));
      welcomedOnce = true;
      ui.status.render('connected', {});
      ui.composer.setEnabled(true);
    }

    function appendMessages(events, live) {
      var items = [];
      var self = store.self();
      events.forEach(function (message) {
        if (!store.addMessage(message.id)) return; // already shown
        if (message.deleted) {
          items.push(renderMessage(message, format, t, false));
          return;
        }
        var mine = roomEvents.isOwn(message, self);
        if (mine && live) {
          var sent = unechoed.indexOf(message.text);
          if (sent !== -1) unechoed.splice(sent, 1);
        }
        var shown = { id: message.id, nick: message.nick, text: message.text, date: message.date, own: mine, verified: message.verified };
        items.push(renderMessage(shown, format, t, self.moderator));
        if (live && !mine) ui.title.bump();
      });
      ui.messages.append(items);
    }

    /** A moderator deleted a message: its item becomes a tombstone (if it is still shown). */
    function onDeleted(event) {
      var tombstone = roomEvents.toTombstone(event);
      var item = tombstone && ui.messages.find(tombstone.id);
      if (item) showRemoved(item, tombstone.by, t);
    }

    function onTopic(event) {
      var topic = roomEvents.toTopic(event);
      ui.topic.show(topic.text);
      notice(topic.text ? t('topicSet', { by: topic.by, text: topic.text }) : t('topicCleared', { by: topic.by }), 'topic', eventDate(event));
    }

    /** Removed by a moderator: the close (4403) follows; the page does not come back by itself. */
    function onKicked(event) {
      var kicked = roomEvents.kickedNotice(event);
      endSession(t(kicked.key, kicked.params));
    }

    /** A signed identity replaced the guest's (an auth frame): who one is changes, the nick stays. */
    function onAuthenticated(event) {
      var nick = store.nick();
      store.setSelf(roomEvents.selfFromWelcome({ nick: nick, from: event.from, roles: event.roles, verified: event.verified }, nick));
      if (nick) store.addUser(nick, store.self().verified);
      renderUsers();
    }

    /** A refusal that reconnecting would only repeat (kicked, banned, not signed in): said, and no retry. */
    function endSession(text) {
      connection.stop();
      ui.composer.setEnabled(false);
      notice(text, 'error');
    }

    function onChatMessage(event, live) {
      var message = toMessage(event);
      if (!message) {
        console.warn('webchat: ignoring a malformed message event');
        return;
      }
      appendMessages([message], live);
    }

    function eventDate(event) {
      return typeof event.ts === 'number' && isFinite(event.ts) ? new Date(event.ts) : now();
    }

    function onJoin(event) {
      if (!isString(event.nick)) return;
      store.addUser(event.nick, event.verified === true);
      renderUsers();
      notice(t('joined', { nick: event.nick }), 'join', eventDate(event));
    }

    function onLeave(event) {
      if (!isString(event.nick)) return;
      store.removeUser(event.nick);
      renderUsers();
      notice(t('left', { nick: event.nick }), 'leave', eventDate(event));
    }

    function onNick(event) {
      if (!isString(event.old) || !isString(event.nick)) return;
      store.renameUser(event.old, event.nick, event.verified === true);
      if (event.old === store.nick()) {
        store.setNick(event.nick);
        setNickShown(event.nick);
        requestedNick = event.nick; // rejoin under the new nick
        rememberNick(event.nick);
        // The server keeps the new nick for our token too.
        if (ownToken) storeToken(event.nick, ownToken);
        pendingNick = null;
        notice(t('youRenamed', { nick: event.nick }), 'nick', eventDate(event));
      } else {
        notice(t('renamed', { old: event.old, nick: event.nick }), 'nick', eventDate(event));
      }
      renderUsers();
    }

    /** An error before the welcome: the join was refused and a close frame follows. */
    function onJoinError(event) {
      var code = event.code;
      var refusal = roomEvents.refusalNotice(event, locale, requestedNick);
      if (refusal && roomEvents.endsSession(code)) {
        // A refused identity is not offered again: a reload joins as a guest.
        if (code === 'unauthorized') forgetIdentity();
        endSession(t(refusal.key, refusal.params));
        return;
      }
      if (nickErrorKey(code)) {
        // Our own earlier connection may still be in the room: wait for it.
        if (code === 'nick_taken' && nickGraceMs > 0) {
          if (!nickGraceUntil) {
            nickGraceUntil = Date.now() + nickGraceMs;
            if (nickGraceMs === RESUME_NICK_GRACE_MS) ui.toast.show(t('nickGhost'));
          }
          if (Date.now() < nickGraceUntil) return; // the close follows; the connection retries with backoff
        }
        nickGraceMs = 0;
        nickGraceUntil = 0;
        connection.stop();
        var failed = requestedNick;
        askNick({
          first: true, // not in the room: "Join" or "Join as a guest"
          returnFocus: ui.messageInput,
          value: failed,
          error: t(nickErrorKey(code), { nick: failed }),
          onDone: function (nick) { joinAs(nick, false); },
          onCancel: function () { joinAs(null, false); },
        });
        return;
      }
      if (code === 'invalid_room') {
        connection.stop();
        notice(t('invalidRoom', { room: room }), 'error');
        return;
      }
      if (code === 'invalid_since' || code === 'invalid_epoch') {
        // Start afresh: the next attempt asks for the whole history.
        store.clearMessages();
        ui.messages.clear();
        return;
      }
      if (code === 'room_full') ui.toast.show(t('roomFull'));
      else if (code === 'too_many_rooms') ui.toast.show(t('tooManyRooms'));
      else if (code === 'unavailable') ui.toast.show(t('joinUnavailable'));
      else showServerError(event);
    }

    /** An error in the room: the request was refused; the connection stays unless a close follows. */
    function onError(event) {
      var code = event.code;
      var refusal = roomEvents.refusalNotice(event, locale, pendingNick);
      if (refusal && roomEvents.endsSession(code)) {
        if (code === 'unauthorized') forgetIdentity();
        endSession(t(refusal.key, refusal.params));
      } else if (code === 'muted' || code === 'slow_mode') {
        ui.toast.show(t(refusal.key, refusal.params));
        if (unechoed.length === 1) ui.composer.restore(unechoed.pop());
      } else if (code === 'forbidden' || code === 'token_expired') {
        ui.toast.show(t(refusal.key, refusal.params));
      } else if (code === 'rate_limited') {
        ui.toast.show(t('rateLimited'));
      } else if (code === 'too_long') {
        ui.toast.show(t('tooLong'));
        if (unechoed.length === 1) ui.composer.restore(unechoed.pop());
      } else if (nickErrorKey(code)) {
        var wanted = pendingNick;
        pendingNick = null;
        askNick({
          first: false,
          value: wanted || store.nick(),
          error: t(nickErrorKey(code), { nick: wanted || '' }),
          onDone: changeNick,
        });
      } else if (code === 'nick_rate_limited') {
        pendingNick = null;
        ui.toast.show(t('nickRateLimited'));
      } else if (code === 'flooding') {
        ui.toast.show(t('flooding'));
      } else if (code === 'delayed') {
        // Queued on the server: the echo comes when the servers reconnect.
        ui.toast.show(t('delayed'));
      } else if (code === 'unavailable') {
        ui.toast.show(t('unavailable'));
        if (unechoed.length === 1) ui.composer.restore(unechoed.pop());
      } else if (code === 'history_reset') {
        // The room started afresh elsewhere: joining again with since and
        // our epoch gets a welcome that says reset.
        connection.restart();
      } else if (code === 'bad_request') {
        console.warn('webchat: the server refused a request: ' + event.message);
        ui.toast.show(t('badRequest'));
      } else {
        showServerError(event);
      }
    }

    function showServerError(event) {
      var message = isString(event.message) && event.message ? event.message : String(event.code);
      ui.toast.show(t('serverError', { message: message }));
    }

    // ---- nicknames

    function askNick(dialogOptions) {
      ui.nickDialog.open(dialogOptions);
    }

    /** (Re)joins the room as `nick` (null: a guest). */
    function joinAs(nick, fromStorage) {
      requestedNick = nick;
      nickGraceMs = fromStorage ? STORED_NICK_GRACE_MS : 0;
      nickGraceUntil = 0;
      if (connection) connection.start();
    }

    function changeNick(nick) {
      if (nick === store.nick()) return;
      if (mode !== 'room') {
        // Not in a room right now: join under the new nick next time.
        requestedNick = nick;
        nickGraceMs = 0;
        return;
      }
      pendingNick = nick;
      connection.send(encodeNickChange(nick));
    }

    /** The nick button and `/nick` with nothing after it. */
    function openNickChange() {
      if (mode !== 'room') return;
      askNick({ first: false, value: store.nick(), onDone: changeNick });
    }

    // ---- sending

    /** What the composer sends: a message, or `/nick NAME` in a room. False if it could not go out. */
    function send(text) {
      if (!connection) return false;
      if (mode === 'relay') return connection.send(encodeRelayMessage(text));
      if (mode !== 'room') return false;
      var command = /^\/nick(?:\s+([\s\S]*))?$/.exec(text.trim());
      if (command) {
        var nick = cleanName(command[1] || '');
        if (nick === '') {
          openNickChange();
          return true;
        }
        var problem = nickProblem(nick);
        if (problem) {
          ui.toast.show(t(problem));
          return false;
        }
        changeNick(nick);
        return true;
      }
      if (!connection.send(encodeChatMessage(text))) return false;
      unechoed.push(text);
      if (unechoed.length > 20) unechoed.shift();
      ui.messages.scrollToBottom(); // you just spoke: follow the conversation
      return true;
    }

    // ---- moderation: the menus renderModeration puts on messages

    function moderationRequest(button) {
      var nick = button.dataset.nick;
      switch (button.dataset.action) {
        case 'delete': return roomEvents.encodeDelete(Number(button.dataset.id));
        case 'kick': return roomEvents.encodeKick(nick);
        case 'mute': return roomEvents.encodeMute(nick);
        case 'ban': return roomEvents.encodeBan(nick);
        default: return null;
      }
    }

    /** Opens (focus on its first action) or closes the menu of toggle. */
    function setMenuOpen(toggle, open) {
      var menu = document.getElementById(toggle.getAttribute('aria-controls'));
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      menu.hidden = !open;
      if (open) menu.querySelector('button').focus();
    }

    ui.messages.element.addEventListener('click', function (event) {
      var button = event.target.closest('button');
      if (!button) return;
      if (button.classList.contains('msg-moderation-toggle')) {
        setMenuOpen(button, button.getAttribute('aria-expanded') !== 'true');
        return;
      }
      if (!button.classList.contains('msg-moderation-action')) return;
      var toggle = button.closest('.msg').querySelector('.msg-moderation-toggle');
      var request = moderationRequest(button);
      if (request && mode === 'room') connection.send(request);
      setMenuOpen(toggle, false);
      toggle.focus();
    });

    // Escape in an open menu closes it, back on its button.
    ui.messages.element.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape') return;
      var item = event.target.closest('.msg');
      var toggle = item && item.querySelector('.msg-moderation-toggle');
      if (!toggle || toggle.getAttribute('aria-expanded') !== 'true') return;
      event.preventDefault();
      setMenuOpen(toggle, false);
      toggle.focus();
    });

    /** Starts once the endpoint is known and we have a nick (or chose to be a guest). */
    function start(url) {
      chatUrl = url;
      connection = createConnection(socketUrl, { onState: onState, onMessage: onMessage });
      return connection;
    }

    return {
      start: start,
      joinAs: joinAs,
      send: send,
      openNickChange: openNickChange,
      retryNow: function () { if (connection) connection.retryNow(); },
    };
  }

  // -------------------------------------------------------------------- main

  var IDENTITY_STORAGE_KEY = 'webchat.identity';

  /**
   * The signed identity this tab chats as: one handed over in the address's
   * fragment (#token=<jwt>) is kept for the tab (sessionStorage) and taken
   * out of the address bar, so it is not copied with a link to the room.
   */
  function takeIdentity() {
    var handed = roomEvents.identityTokenFromHash(window.location.hash);
    if (handed) {
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
      try {
        window.sessionStorage.setItem(IDENTITY_STORAGE_KEY, handed);
      } catch (e) {
        // storage disabled: the identity lasts until this page closes
      }
      return handed;
    }
    try {
      var kept = window.sessionStorage.getItem(IDENTITY_STORAGE_KEY);
      return roomEvents.identityTokenFromHash(kept ? '#token=' + kept : '');
    } catch (e) {
      return null;
    }
  }

  function forgetIdentity() {
    try {
      window.sessionStorage.removeItem(IDENTITY_STORAGE_KEY);
    } catch (e) {
      // storage disabled: nothing was kept
    }
  }

  function storedNickname() {
    try {
      var nick = window.localStorage.getItem(NICK_STORAGE_KEY);
      if (nick !== null && nickProblem(cleanName(nick)) === null) return cleanName(nick);
    } catch (e) {
      // storage disabled
    }
    return null;
  }

  function main() {
    var byId = document.getElementById.bind(document);
    var i18n = createI18n(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
    var t = i18n.t;
    i18n.apply(document);

    var room = roomFromLocation(window.location);
    byId('room-name').textContent = room;
    document.title = t('pageTitle', { room: room });

    var app = byId('app');
    var ui = {
      app: app,
      messageInput: byId('message'),
      nickButton: byId('nick-button'),
      nickCurrent: byId('nick-current'),
      messages: createMessageList(byId('messages'), byId('jump')),
      users: createUserList(byId('users'), byId('users-count'), byId('users-toggle-text'), t, i18n.locale),
      usersPanel: createUsersPanel(app, byId('users-panel'), byId('users-toggle')),
      status: createStatusView(byId('status'), byId('status-text'), byId('status-announcer'), byId('retry'), t),
      nickDialog: createNickDialog(byId('nick-dialog'), t),
      toast: createToast(byId('toast')),
      topic: createTopicView(byId('topic'), byId('topic-text')),
      title: createTitle(t),
      composer: null,
    };

    var identity = takeIdentity();
    var chat = createChat({ ui: ui, t: t, format: createTimeFormat(i18n.locale), locale: i18n.locale, room: room, identity: identity });
    ui.composer = createComposer(byId('composer'), byId('message'), byId('send'), chat.send);
    byId('nick-button').addEventListener('click', chat.openNickChange);
    byId('retry').addEventListener('click', chat.retryNow);
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape' || event.defaultPrevented || ui.nickDialog.isOpen()) return;
      if (ui.usersPanel.closeIfOpen()) event.preventDefault();
      else if (ui.toast.isShown()) ui.toast.hide();
    });

    if (roomProblem(room)) {
      ui.status.render('stopped', {});
      ui.messages.append([renderNotice(t('invalidRoom', { room: room }), new Date(), createTimeFormat(i18n.locale), 'error')]);
      return;
    }

    // The nick (remembered, or asked once) and the endpoint, in parallel.
    var nickReady = new Promise(function (resolve) {
      // A signed identity with a name chats under it: nothing to ask.
      var named = roomEvents.identityName(identity);
      if (named) {
        resolve({ nick: named, stored: false });
        return;
      }
      var remembered = storedNickname();
      if (remembered) {
        resolve({ nick: remembered, stored: true });
        return;
      }
      ui.status.render('waiting', {});
      ui.nickDialog.open({
        first: true,
        returnFocus: ui.messageInput,
        onDone: function (nick) { resolve({ nick: nick, stored: false }); },
        onCancel: function () { resolve({ nick: null, stored: false }); },
      });
    });

    Promise.all([loadChatUrl(), nickReady]).then(function (ready) {
      var url = ready[0];
      byId('status').title = url;
      chat.start(url);
      chat.joinAs(ready[1].nick, ready[1].stored);
    });
  }

  main(); // the script is deferred: the document is parsed
}());
