/*
 * webchat page: @mentions. Which parts of a text name someone present as
 * "@nick", whether a message calls the reader, and what the nick picker
 * offers for the "@..." being typed. Pure: node's test runner checks it.
 *
 * Nicks may hold spaces ("@Tester Nguyễn"): at each "@" the longest nick
 * of the room that follows wins. Nicks are compared as the page keeps nick
 * tokens (NFKC, lower case): "@alice" calls "Alice".
 */

/** A nick as mentions compare it. */
function fold(text) {
  return text.normalize('NFKC').toLowerCase();
}

// A mention starts at the text's start or after a character that is not
// part of a word (so "me@alice.example" is no mention), and ends where the
// next character cannot continue a word.
const WORD_CHAR = /[\p{L}\p{N}_]/u;

function isWordChar(ch) {
  return ch !== undefined && ch !== '' && WORD_CHAR.test(ch);
}

/**
 * The text cut into parts: { text } and { text, mention } (mention: the
 * nick named, as the room spells it). Joined, the texts are the text.
 */
export function splitMentions(text, nicks) {
  var byLength = nicks.filter(function (nick) { return nick !== ''; })
    .slice().sort(function (a, b) { return b.length - a.length; });
  var parts = [];
  var plainFrom = 0;
  var folded = fold(text);
  // Folding may change lengths (rarely): then the text is left as it is.
  if (folded.length !== text.length) return [{ text: text }];
  for (var at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at > 0 && isWordChar(text.charAt(at - 1))) continue;
    for (var i = 0; i < byLength.length; i++) {
      var nick = byLength[i];
      var key = fold(nick);
      var end = at + 1 + key.length;
      if (folded.slice(at + 1, end) !== key || isWordChar(text.charAt(end))) continue;
      if (at > plainFrom) parts.push({ text: text.slice(plainFrom, at) });
      parts.push({ text: text.slice(at, end), mention: nick });
      plainFrom = end;
      at = end - 1;
      break;
    }
  }
  if (plainFrom < text.length || parts.length === 0) parts.push({ text: text.slice(plainFrom) });
  return parts;
}

/** Whether text mentions `nick` ("@nick", in any case). */
export function mentions(text, nick) {
  if (!nick) return false;
  return splitMentions(text, [nick]).some(function (part) { return part.mention !== undefined; });
}

/**
 * The "@..." being typed before the caret: { start, query } (start: the
 * index of "@"; query: what follows it, without line breaks), or null.
 */
export function mentionQuery(value, caret) {
  var before = value.slice(0, caret);
  var at = before.lastIndexOf('@');
  if (at === -1 || (at > 0 && isWordChar(before.charAt(at - 1)))) return null;
  var query = before.slice(at + 1);
  if (/[\n@]/.test(query) || query.length > 32) return null;
  return { start: at, query: query };
}

/** The nicks the picker offers for query: those starting with it, sorted; at most `limit`. */
export function mentionCandidates(query, nicks, limit) {
  var key = fold(query);
  return nicks.filter(function (nick) { return fold(nick).startsWith(key); })
    .sort(function (a, b) { return a.localeCompare(b); })
    .slice(0, limit === undefined ? 8 : limit);
}

/** The value with the "@query" at start replaced by "@nick ", and where the caret goes. */
export function insertMention(value, start, caret, nick) {
  var inserted = '@' + nick + ' ';
  var after = value.slice(caret).replace(/^ /, '');
  return { value: value.slice(0, start) + inserted + after, caret: start + inserted.length };
}
