/*
 * webchat page: "is typing…". What the page sends while the reader types
 * (at most one {"type":"typing"} per 3 s), and who the others typing are
 * (each for 8 s after their last notice, or until their message or leave
 * arrives). Pure: times come from the caller, so node's test runner checks
 * it; the chat module owns the timers.
 */

export const TYPING_SEND_INTERVAL_MS = 3000;
export const TYPING_SHOWN_MS = 8000;

/**
 * Whether a key press in the message box is typing: a character (or an
 * input method composing one), not Enter, arrows or shortcuts.
 */
export function isTypingKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  return event.isComposing || event.key === 'Process' || (typeof event.key === 'string' && Array.from(event.key).length === 1);
}

/** Calls send() at most once per TYPING_SEND_INTERVAL_MS of typed(now) calls. */
export function createTypingSender(send) {
  var lastSent = -Infinity;
  return {
    typed: function (now) {
      if (now - lastSent < TYPING_SEND_INTERVAL_MS) return;
      lastSent = now;
      send();
    },
    /** A message went out (or the connection is new): the next key press is news again. */
    reset: function () { lastSent = -Infinity; },
  };
}

/** The others typing: nick → time of their last notice. */
export function createTypingList() {
  var since = new Map();

  function current(now) {
    var nicks = [];
    since.forEach(function (at, nick) {
      if (now - at < TYPING_SHOWN_MS) nicks.push(nick);
      else since.delete(nick);
    });
    return nicks;
  }

  return {
    add: function (nick, now) {
      since.delete(nick); // in the order of their latest notice
      since.set(nick, now);
    },
    remove: function (nick) { return since.delete(nick); },
    rename: function (old, nick) {
      if (!since.has(old)) return;
      var at = since.get(old);
      since.delete(old);
      since.set(nick, at);
    },
    clear: function () { since.clear(); },
    current: current,
    /** When the next nick stops being shown (ms since epoch), or null when none is typing. */
    nextExpiry: function (now) {
      var next = null;
      current(now);
      since.forEach(function (at) {
        if (next === null || at + TYPING_SHOWN_MS < next) next = at + TYPING_SHOWN_MS;
      });
      return next;
    },
  };
}

/** What the typing line says for nicks: { key, params }, or null for nobody. */
export function typingNotice(nicks) {
  if (nicks.length === 0) return null;
  if (nicks.length === 1) return { key: 'typingOne', params: { nick: nicks[0] } };
  if (nicks.length === 2) return { key: 'typingTwo', params: { a: nicks[0], b: nicks[1] } };
  return { key: 'typingMany', params: { n: nicks.length } };
}
