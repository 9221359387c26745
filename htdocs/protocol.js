/*
 * webchat page: the only code that knows the chat-room wire format
 * (docs/PROTOCOL.md): the socket URL, decoding events, encoding requests,
 * the rules for nicks and room names, and counting text the way the
 * server does. Pure functions: node's test runner imports them.
 */

import * as roomEvents from './roomEvents.js';
import { isId, isString } from './roomEvents.js';

export { isId, isString };

export const DEFAULT_ROOM = 'lobby';
export const MAX_NICK_CHARS = 32;
export const MAX_ROOM_CHARS = 64;
const utf8 = new TextEncoder();

/**
 * Length in bytes of UTF-8, as the server counts a message's text (after
 * JSON decoding); a lone surrogate counts as the 3 bytes of U+FFFD.
 */
export function utf8ByteLength(text) {
  return utf8.encode(text).length;
}

/** Length in characters (code points), as the server counts them. */
export function charCount(text) {
  return Array.from(text).length;
}

// What names may not contain (as the server checks): C0 and C1 controls,
// DEL, line/paragraph separators, bidirectional controls, byte order marks.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/**
 * Names as the page sends them: without surrounding spaces and in Unicode
 * NFC, the form the server shows them in (it compares them by a key that
 * also folds case and look-alikes: "Alice" is "alice" there).
 */
export function cleanName(value) {
  return value.trim().normalize('NFC');
}

/** The room the page URL names (?room=...; "+" or %20 for a space), or "lobby". */
export function roomFromLocation(location) {
  var value = new URLSearchParams(location.search).get('room');
  value = value === null ? '' : cleanName(value);
  return value === '' ? DEFAULT_ROOM : value;
}

export function roomProblem(room) {
  if (room === '' || charCount(room) > MAX_ROOM_CHARS || CONTROL_CHARS.test(room) || room.indexOf('/') !== -1) return 'invalidRoom';
  return null;
}

/** Null if `nick` (already trimmed) is acceptable, else the key of the message saying why not. */
export function nickProblem(nick) {
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
export function roomSocketUrl(chatUrl, room, nick, token, since, epoch) {
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

/**
 * A chat message event as the page uses it, or null if it is malformed: a
 * message, or the tombstone of one a moderator deleted ({ id, deleted, by }).
 */
export function toMessage(event) {
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
export function decodeEvent(data) {
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

export function encodeChatMessage(text) {
  return JSON.stringify({ type: 'message', text: text });
}

/** "I am typing" (the server passes it on as {"type":"typing","nick":…} to the others). */
export function encodeTyping() {
  return JSON.stringify({ type: 'typing' });
}

/** Asks for the `limit` messages before id `before` (answered by a `history` event). */
export function encodeHistoryRequest(before, limit) {
  return JSON.stringify({ type: 'history', before: before, limit: limit });
}

export function encodeNickChange(nick) {
  return JSON.stringify({ type: 'nick', nick: nick });
}

/** The relay takes and gives plain text. */
export function encodeRelayMessage(text) {
  return text;
}

// The error codes that refuse a nick, at join (a close follows) or on a
// change, and what the nick dialog says then.
const NICK_ERRORS = { nick_taken: 'nickTaken', nick_reserved: 'nickReserved', invalid_nick: 'nickInvalid' };

/** The string key of a nick refusal, or null for other codes. */
export function nickErrorKey(code) {
  return Object.prototype.hasOwnProperty.call(NICK_ERRORS, code) ? NICK_ERRORS[code] : null;
}

/**
 * Where a nick's token is kept: the server compares nicks far more
 * thoroughly (look-alikes too), this only folds case and width, so that
 * "Alice" typed as "alice" still finds its token.
 */
export function nickTokenKey(nick) {
  return nick.normalize('NFKC').toLowerCase();
}
