/*
 * webchat page: where the chat WebSocket is, from webchat-config.json,
 * else the page's host on port 8000.
 */

const CONFIG_URL = 'webchat-config.json'; // relative: also works below a path prefix
const DEFAULT_CHAT_PORT = 8000;

/** The chat URL a config value names: ws(s) URLs, or http(s)/relative ones mapped to ws(s). */
export function toWebSocketUrl(value, base) {
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
export function fallbackChatUrl(location) {
  var url = new URL('/', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.port = String(DEFAULT_CHAT_PORT);
  return url.href;
}

export function loadChatUrl() {
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
