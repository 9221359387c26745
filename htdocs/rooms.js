/*
 * webchat page: the room list and moving between rooms. The chat listener
 * answers GET /rooms (JSON: [{"room","users"}], busiest first); the page
 * shows them as links with their counts, a field to join or create a room
 * by name, and a button that copies the link to the room one is in.
 * Following a room link switches rooms without a reload (the address
 * changes with history.pushState; Back comes back).
 *
 * The pure parts (where the list is, reading it, a room's address) are
 * checked by node's test runner.
 */

import { cleanName, roomProblem } from './protocol.js';

export const MAX_ROOMS_SHOWN = 100;
const REFRESH_MS = 30000;

/** The room list's URL beside the chat endpoint: ws(s)://host:port/path/ → http(s)://host:port/path/rooms. */
export function roomsUrl(chatUrl) {
  var url = new URL(chatUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  if (url.pathname.charAt(url.pathname.length - 1) !== '/') url.pathname += '/';
  url.pathname += 'rooms';
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * Whether a Content-Security-Policy lets the page fetch target (an http(s)
 * URL): its connect-src (else default-src) names 'self' for the page's
 * origin, the target's scheme, or the target's origin. A page served with
 * a policy that allows only the chat's WebSocket shows no room list (and
 * the browser logs no refused request).
 */
export function policyAllowsFetch(policy, target, pageUrl) {
  if (typeof policy !== 'string' || policy.trim() === '') return true; // no policy: anything
  var directives = {};
  policy.split(';').forEach(function (part) {
    var tokens = part.trim().split(/\s+/).filter(Boolean);
    if (tokens.length && !directives[tokens[0].toLowerCase()]) directives[tokens[0].toLowerCase()] = tokens.slice(1);
  });
  var sources = directives['connect-src'] || directives['default-src'];
  if (!sources) return true;
  var url = new URL(target);
  return sources.some(function (source) {
    var lower = source.toLowerCase();
    if (lower === "'self'") return url.origin === new URL(pageUrl).origin;
    if (lower === '*') return true;
    if (lower === url.protocol) return true;
    try {
      var allowed = new URL(source);
      return allowed.origin === url.origin && url.pathname.startsWith(allowed.pathname.replace(/[^/]*$/, ''));
    } catch (e) {
      return false;
    }
  });
}

/** GET /rooms's answer as [{ room, users }], the malformed entries left out, at most 100. */
export function parseRooms(value) {
  if (!Array.isArray(value)) return [];
  return value.filter(function (entry) {
    return entry && typeof entry.room === 'string' && roomProblem(entry.room) === null &&
      Number.isSafeInteger(entry.users) && entry.users >= 0;
  }).slice(0, MAX_ROOMS_SHOWN).map(function (entry) { return { room: entry.room, users: entry.users }; });
}

/** The page's address for room, relative to the page ("?room=H%C3%A0%20N%E1%BB%99i"; a space is %20). */
export function roomHref(room) {
  return '?room=' + encodeURIComponent(room);
}

/**
 * The rooms section. elements: list (where the links go), form and input
 * (join or create by name), copyButton; t; toast(text); onSwitch(room)
 * (switch the chat to room). current(): the room one is in.
 */
export function createRoomsPanel(elements, t, toast, current, onSwitch) {
  var url = null;
  var timer = null;
  var isLive = function () { return false; }; // start()'s inRoom

  function render(rooms) {
    var here = current();
    elements.list.replaceChildren.apply(elements.list, rooms.map(function (entry) {
      var link = document.createElement('a');
      link.className = 'room-link';
      link.href = roomHref(entry.room);
      link.dataset.room = entry.room;
      var name = document.createElement('span');
      name.className = 'room-link-name';
      name.textContent = entry.room;
      var count = document.createElement('span');
      count.className = 'room-link-count';
      count.textContent = t('roomUsers', { n: entry.users });
      link.append(name, ' ', count);
      if (entry.room === here) link.setAttribute('aria-current', 'page');
      return link;
    }));
    elements.list.hidden = rooms.length === 0;
  }

  function refresh() {
    clearTimeout(timer);
    if (!url) return;
    // Only while the page is in a room: a server that is away is not asked.
    if (!isLive()) {
      timer = setTimeout(refresh, REFRESH_MS);
      return;
    }
    fetch(url, { cache: 'no-store', credentials: 'omit', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (value) { render(parseRooms(value)); })
      .catch(function (error) { console.warn('webchat: no room list from ' + url + ' (' + error.message + ')'); })
      .then(function () { timer = setTimeout(refresh, REFRESH_MS); });
  }

  elements.list.addEventListener('click', function (event) {
    var link = event.target.closest('a.room-link');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onSwitch(link.dataset.room);
  });

  elements.form.addEventListener('submit', function (event) {
    event.preventDefault();
    var room = cleanName(elements.input.value);
    if (room === '' || roomProblem(room)) {
      toast(t('invalidRoom', { room: room }));
      return;
    }
    elements.input.value = '';
    onSwitch(room);
  });

  elements.copyButton.addEventListener('click', function () {
    var link = new URL(roomHref(current()), window.location.href).href;
    Promise.resolve()
      .then(function () { return navigator.clipboard.writeText(link); })
      .then(function () { toast(t('linkCopied', { link: link })); })
      .catch(function () { toast(t('linkToCopy', { link: link })); });
  });

  return {
    /**
     * Starts showing the list beside the chat endpoint chatUrl, when the
     * page's policy (policy: its Content-Security-Policy) lets it ask; it
     * is asked again every 30 s while inRoom() says the page is in a room.
     */
    start: function (chatUrl, policy, inRoom) {
      var candidate = roomsUrl(chatUrl);
      if (!policyAllowsFetch(policy, candidate, window.location.href)) return;
      url = candidate;
      isLive = inRoom;
      refresh();
    },
    refresh: refresh,
  };
}
