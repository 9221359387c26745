/*
 * webchat page: who one is across visits, kept in the browser: the nick
 * remembered (localStorage), the nick tokens the server gave (sent back as
 * token= to get that nick again; another browser asking for it is
 * refused), and a signed identity handed over by an embedding site (kept
 * for the tab in sessionStorage). Storage may be disabled or full: then
 * each of these lasts as long as the page.
 */

import * as roomEvents from './roomEvents.js';
import { cleanName, isString, nickProblem, nickTokenKey } from './protocol.js';

const NICK_STORAGE_KEY = 'webchat.nick';
// The nick tokens the server gave, by nick (nickTokenKey).
const TOKENS_STORAGE_KEY = 'webchat.tokens';

export function loadTokens() {
  try {
    var tokens = JSON.parse(window.localStorage.getItem(TOKENS_STORAGE_KEY) || '{}');
    return tokens && typeof tokens === 'object' && !Array.isArray(tokens) ? tokens : {};
  } catch (e) {
    return {};
  }
}

// The tokens this page was given, by nickTokenKey: what it sends back when
// localStorage cannot keep them (disabled or full).
const tokensOfThisPage = {};

/** The token kept for nick (in localStorage, else by this page), or null. */
export function storedToken(nick) {
  var key = nickTokenKey(nick);
  var token = loadTokens()[key];
  if (!isString(token)) token = tokensOfThisPage[key];
  return isString(token) ? token : null;
}

export function storeToken(nick, token) {
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

const IDENTITY_STORAGE_KEY = 'webchat.identity';

/**
 * The signed identity this tab chats as: one handed over in the address's
 * fragment (#token=<jwt>) is kept for the tab (sessionStorage) and taken
 * out of the address bar, so it is not copied with a link to the room.
 */
export function takeIdentity() {
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

export function forgetIdentity() {
  try {
    window.sessionStorage.removeItem(IDENTITY_STORAGE_KEY);
  } catch (e) {
    // storage disabled: nothing was kept
  }
}

/** The nick remembered from an earlier visit, if it is still acceptable, else null. */
export function storedNickname() {
  try {
    var nick = window.localStorage.getItem(NICK_STORAGE_KEY);
    if (nick !== null && nickProblem(cleanName(nick)) === null) return cleanName(nick);
  } catch (e) {
    // storage disabled
  }
  return null;
}

/** Remembers the nick the room accepted, for the next visit. */
export function rememberNick(nick) {
  try {
    window.localStorage.setItem(NICK_STORAGE_KEY, nick);
  } catch (e) {
    // storage disabled: the nick is asked again next time
  }
}
