/*
 * webchat page: what the chat-room events about identities and moderation
 * mean, as pure functions (no DOM, no socket), so node's test runner checks
 * them and the page's other modules only render what they return:
 *   - who "you" are: the welcome's `from` (a stable public id; the nick when
 *     the server sends none) and whether your roles make you a moderator;
 *   - which messages are yours: by `from`, never by a nick someone else can
 *     take after you left;
 *   - tombstones (`{"type":"deleted"}` live, `"deleted":true` in history),
 *     the room's topic, and the moderation requests a moderator sends;
 *   - a signed identity handed over by the embedding site: a JWT in the page
 *     address's fragment (#token=...), and the nick it names;
 *   - the notice a refusal or a moderator's action deserves (kicked, banned,
 *     muted, nick_reserved, unauthorized...), as a string key of i18n.js's
 *     tables with its parameters, the durations in the reader's language.
 *
 * An ES module, like the rest of the page: node's test runner imports it
 * as it is.
 */

// What the moderation menu asks for: a mute of ten minutes, a ban of a day.
export const MUTE_SECONDS = 600;
export const BAN_SECONDS = 86400;

var MODERATOR_ROLES = ['moderator', 'admin'];

export function isString(value) {
  return typeof value === 'string';
}

export function isId(value) {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isSeconds(value) {
  return typeof value === 'number' && isFinite(value) && value >= 0;
}

/**
 * Who the welcome says we are: { nick, from (null when the server sends
 * none), moderator (roles hold "moderator" or "admin"), verified }.
 */
export function selfFromWelcome(welcome, fallbackNick) {
  var roles = welcome && Array.isArray(welcome.roles) ? welcome.roles.filter(isString) : [];
  return {
    nick: welcome && isString(welcome.nick) ? welcome.nick : fallbackNick,
    from: welcome && isString(welcome.from) && welcome.from !== '' ? welcome.from : null,
    moderator: roles.some(function (role) { return MODERATOR_ROLES.indexOf(role) !== -1; }),
    verified: !!(welcome && welcome.verified === true),
  };
}

/**
 * Whether message was said by self: by `from` when both have one (a nick
 * is given to whoever asks for it once its holder left), else by nick.
 */
export function isOwn(message, self) {
  if (!message || !self) return false;
  if (self.from !== null && isString(message.from) && message.from !== '') return message.from === self.from;
  return message.nick === self.nick;
}

/** A tombstone (a live `deleted` event or a deleted message in history) as { id, by }, or null. */
export function toTombstone(event) {
  if (!event || !isId(event.id)) return null;
  var live = event.type === 'deleted';
  var stored = event.type === 'message' && event.deleted === true;
  if (!live && !stored) return null;
  return { id: event.id, by: isString(event.by) ? event.by : '' };
}

/** The room's topic from a welcome or a `topic` event: { text, by }; text '' when there is none. */
export function toTopic(event) {
  return {
    text: event && isString(event.topic) ? event.topic : event && event.type === 'topic' && isString(event.text) ? event.text : '',
    by: event && isString(event.by) ? event.by : '',
  };
}

// The requests of the moderation menu (docs/PROTOCOL.md).
export function encodeDelete(id) {
  return JSON.stringify({ type: 'delete', id: id });
}

export function encodeKick(nick) {
  return JSON.stringify({ type: 'kick', nick: nick });
}

export function encodeMute(nick, seconds) {
  return JSON.stringify({ type: 'mute', nick: nick, seconds: seconds === undefined ? MUTE_SECONDS : seconds });
}

export function encodeBan(nick, seconds) {
  return JSON.stringify({ type: 'ban', nick: nick, seconds: seconds === undefined ? BAN_SECONDS : seconds });
}

/**
 * A duration for people: "10 minutes", "1 day", "45 giây", in the largest
 * unit that fits, rounded up (a remaining time is never understated).
 */
export function formatDuration(seconds, locale) {
  var units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  var whole = Math.max(1, Math.ceil(seconds));
  for (var i = 0; i < units.length; i += 1) {
    var size = units[i][1];
    if (whole >= size || size === 1) {
      var count = Math.ceil(whole / size);
      try {
        return new Intl.NumberFormat(locale, { style: 'unit', unit: units[i][0], unitDisplay: 'long' }).format(count);
      } catch (e) {
        return count + ' ' + units[i][0] + (count === 1 ? '' : 's');
      }
    }
  }
  return String(whole);
}

// Error codes of refusals about who one is or what one may do, and the
// notice key each gets; `seconds` (when sent) becomes {duration}.
var REFUSALS = {
  banned: 'banned',
  muted: 'muted',
  slow_mode: 'slowMode',
  forbidden: 'forbidden',
  nick_reserved: 'nickReserved',
  unauthorized: 'unauthorized',
  token_expired: 'tokenExpired',
};

/**
 * The notice an error event deserves, { key, params }, or null for
 * errors this module does not know (chat.js handles those).
 * nick: the nick that was asked for (for nick_reserved).
 */
export function refusalNotice(event, locale, nick) {
  if (!event || !isString(event.code) || !Object.prototype.hasOwnProperty.call(REFUSALS, event.code)) return null;
  var params = { nick: nick || '' };
  var key = REFUSALS[event.code];
  if (isSeconds(event.seconds)) {
    params.duration = formatDuration(event.seconds, locale);
    if (key === 'banned' || key === 'muted' || key === 'slowMode') key += 'For';
  }
  return { key: key, params: params };
}

/** The notice of a `kicked` event: { key, params } (by and reason when sent). */
export function kickedNotice(event) {
  var by = event && isString(event.by) ? event.by : '';
  var reason = event && isString(event.reason) ? event.reason : '';
  return { key: reason ? 'kickedBecause' : 'kicked', params: { by: by, reason: reason } };
}

/**
 * Whether the server's refusal ends the session for good (no automatic
 * reconnection: it would be refused again). token_expired does not: the
 * server closes after a grace period, and the next join says unauthorized.
 */
export function endsSession(code) {
  return code === 'banned' || code === 'kicked' || code === 'unauthorized';
}

// A JWT: three base64url parts; at most what the server takes as token=.
var JWT_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
var MAX_TOKEN_LENGTH = 8192;

/**
 * The signed identity in a page address's fragment ('#token=<jwt>', the
 * way an embedding site links to the chat: a fragment never reaches a
 * server or its logs), or null when there is none or it is no JWT.
 */
export function identityTokenFromHash(hash) {
  if (!isString(hash) || hash.charAt(0) !== '#') return null;
  var token = new URLSearchParams(hash.slice(1)).get('token');
  return isString(token) && token.length <= MAX_TOKEN_LENGTH && JWT_PATTERN.test(token) ? token : null;
}

/**
 * The `name` claim of a JWT, read without checking the signature (the
 * server checks it, and its welcome says the nick it gave): the page need
 * not ask for a nick then. null when there is none or it is unreadable.
 */
export function identityName(token) {
  if (!isString(token) || !JWT_PATTERN.test(token)) return null;
  try {
    var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    var binary = atob(part + '==='.slice((part.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return claims && isString(claims.name) && claims.name !== '' ? claims.name : null;
  } catch (e) {
    return null;
  }
}
