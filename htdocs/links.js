/*
 * webchat page: where a message's text names a web address. Only http://,
 * https:// and www. addresses count; no other scheme ever becomes a link
 * (javascript:, data:, vbscript: stay text). Pure: the message view turns
 * the parts into text nodes and <a> elements with DOM APIs.
 */

// An address starts at the text's start or after a character that cannot
// belong to a word or a URL (so "xhttp://" and "awww." are not addresses),
// and runs to the next space or character no URL has unescaped.
const CANDIDATE = /(^|[^\w@/.:-])((?:https?:\/\/|www\.)[^\s<>"`{}|\\^]+)/gi;

// Punctuation that usually ends the sentence around an address, not the address.
const TRAILING = /[.,;:!?'"\u2019\u201d*_~]$/;

/** Drops closing brackets and punctuation at the end that belong to the sentence. */
function trimAddress(address) {
  var trimmed = address;
  for (;;) {
    var last = trimmed.charAt(trimmed.length - 1);
    if (TRAILING.test(last)) {
      trimmed = trimmed.slice(0, -1);
      continue;
    }
    var pairs = { ')': '(', ']': '[' };
    if (pairs[last] !== undefined) {
      // "(see http://x.org/a_(b))": keep a bracket the address itself opened.
      var opened = trimmed.split(pairs[last]).length - 1;
      var closed = trimmed.split(last).length - 1;
      if (closed > opened) {
        trimmed = trimmed.slice(0, -1);
        continue;
      }
    }
    return trimmed;
  }
}

/**
 * The address a link to `shown` goes to (http:// put in front of www.),
 * or null when it is no usable http(s) URL with a host.
 */
export function linkTarget(shown) {
  var candidate = /^www\./i.test(shown) ? 'http://' + shown : shown;
  var url;
  try {
    url = new URL(candidate);
  } catch (e) {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  return url.href;
}

/**
 * The text cut into parts, in order: { text } for plain text and
 * { text, href } for an address (text as written, href where it goes).
 * Joined, the parts' texts are the text unchanged.
 */
export function splitLinks(text) {
  var parts = [];
  var plainFrom = 0;
  CANDIDATE.lastIndex = 0;
  var match;
  while ((match = CANDIDATE.exec(text)) !== null) {
    var start = match.index + match[1].length;
    var shown = trimAddress(match[2]);
    var href = shown.replace(/^(?:https?:\/\/|www\.)/i, '') === '' ? null : linkTarget(shown);
    if (href === null) continue;
    if (start > plainFrom) parts.push({ text: text.slice(plainFrom, start) });
    parts.push({ text: shown, href: href });
    plainFrom = start + shown.length;
    CANDIDATE.lastIndex = plainFrom;
  }
  if (plainFrom < text.length || parts.length === 0) parts.push({ text: text.slice(plainFrom) });
  return parts;
}
