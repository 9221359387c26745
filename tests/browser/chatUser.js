'use strict';
//
// One person using the chat page in a browser context of their own, for the
// browser tests: opens the page (a room named in its URL), picks a nick
// through the dialog or has one remembered in localStorage, and reads what
// the page shows (messages, notices, members, title) the way a person would,
// by role and visible text where it matters.
//

const assert = require('node:assert/strict');

const { watchPage, webSocketFailureTo } = require('./support');

const WAIT_MS = 10000;
const NICK_KEY = 'webchat.nick'; // what htdocs/identity.js remembers the nick under

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** The page URL for `room` (undefined: the default room): ?room= with the name percent-encoded (%20 for a space). */
function roomPageUrl(pageUrl, room) {
  if (room === undefined) return pageUrl;
  return `${pageUrl}?room=${encodeURIComponent(room)}`;
}

/** What the page shows, read in one go in the page. */
function readPage() {
  const texts = (selector) => Array.from(document.querySelectorAll(selector), (el) => el.textContent);
  return {
    messages: Array.from(document.querySelectorAll('#messages .msg'), (el) => ({
      id: el.dataset.id ? Number(el.dataset.id) : null,
      nick: el.querySelector('.msg-nick') ? el.querySelector('.msg-nick').textContent : null,
      text: el.querySelector('.msg-text').textContent,
      own: el.classList.contains('msg-own'),
    })),
    notices: texts('#messages .notice .notice-text'),
    users: texts('#users .user-name'),
    status: document.getElementById('status').dataset.state,
    title: document.title,
  };
}

/**
 * Opens the chat page for one user.
 *   nick:      the nick to use; with `remembered` (default) it is in
 *              localStorage before the page loads, else typed into the
 *              dialog (unless typeNick is false: the test does it)
 *   room:      the room (put in the URL as ?room=); default: none (lobby)
 *   context:   browser context options (viewport, locale, colorScheme...)
 *   connected: wait until the page is in the room (default true)
 *   beforeGoto: async (page) => {...}, e.g. to route its WebSocket
 */
async function openUser(browser, server, {
  nick, remembered = true, typeNick = !remembered, room, context: contextOptions = DESKTOP, connected = true, beforeGoto, hash = '',
} = {}) {
  const storageState = nick && remembered
    ? { cookies: [], origins: [{ origin: new URL(server.pageUrl).origin, localStorage: [{ name: NICK_KEY, value: nick }] }] }
    : undefined;
  const context = await browser.newContext({ ...contextOptions, storageState });
  const page = await context.newPage();
  // Refused connections (the server restarting) are the only console errors allowed.
  const watch = watchPage(page, [webSocketFailureTo(server.chatUrl)]);
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  if (beforeGoto) await beforeGoto(page);
  // hash: the address's fragment (#token=<jwt>: a signed identity).
  const response = await page.goto(roomPageUrl(server.pageUrl, room) + hash);
  assert.equal(response.status(), 200);

  const user = {
    context,
    page,
    nick,
    sockets, // URLs of every WebSocket the page opened, in order
    ...watch,
    // By id: the names depend on the UI language (asserted where it matters).
    input: page.locator('#message'),
    send: page.locator('#send'),
    dialog: page.getByRole('dialog'),
    read: () => page.evaluate(readPage),

    /** Types the nick into the open dialog and presses Enter. */
    async chooseNick(name) {
      const field = user.dialog.getByRole('textbox');
      await field.waitFor({ state: 'visible', timeout: WAIT_MS });
      await field.fill(name);
      await field.press('Enter');
    },

    /** Waits until the page is in the room (or in relay mode): Send enabled, status "connected". */
    async waitConnected() {
      await page.waitForSelector('#status[data-state="connected"]', { timeout: WAIT_MS });
      await page.waitForFunction(() => !document.getElementById('send').disabled, null, { timeout: WAIT_MS });
    },

    /** Types `text` and presses Enter. */
    async say(text) {
      await user.input.fill(text);
      await user.input.press('Enter');
    },

    /** Waits until `predicate(readPage())` holds; fails with what the page shows. */
    async waitFor(description, predicate) {
      const deadline = Date.now() + WAIT_MS;
      let shown = null;
      for (;;) {
        shown = await user.read();
        if (predicate(shown)) return shown;
        if (Date.now() > deadline) break;
        // Polls the page (not a fixed wait for an outcome): each round reads the DOM afresh.
        await page.waitForTimeout(50);
      }
      assert.fail(`${nick || 'user'}: ${description} not shown within ${WAIT_MS} ms; the page shows ${JSON.stringify(shown, null, 1)}`);
    },

    /** Waits until the chat messages are exactly `expected`: [nick, text] pairs, oldest first. */
    waitForMessages(expected) {
      return user.waitFor(`messages ${JSON.stringify(expected)}`, (shown) =>
        shown.messages.length === expected.length &&
        shown.messages.every((m, i) => m.nick === expected[i][0] && m.text === expected[i][1]));
    },

    /** Waits until the member list is exactly `names` (any order). */
    waitForUsers(names) {
      const want = [...names].sort();
      return user.waitFor(`members ${JSON.stringify(names)}`, (shown) =>
        JSON.stringify([...shown.users].sort()) === JSON.stringify(want));
    },

    /** Waits for a notice whose text is exactly `text`. */
    waitForNotice(text) {
      return user.waitFor(`notice ${JSON.stringify(text)}`, (shown) => shown.notices.includes(text));
    },

    async close() {
      await context.close();
    },
  };

  if (nick && typeNick) await user.chooseNick(nick);
  if (connected) await user.waitConnected();
  return user;
}

/** Pretends the user's tab went to the background (or came back): visibilityState and the event. */
function setHidden(user, hidden) {
  return user.page.evaluate((isHidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (isHidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => isHidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/**
 * Routes a page's chat WebSocket through the test (playwright's
 * routeWebSocket) to the real server: the server's frames pass, or pass as
 * rewrite(event) when it returns an object; what the page sends passes,
 * unless keep(request) says the test keeps it (in `requests`, not passed
 * on). inject(event) sends the page an event as if from the server. So a
 * test can add what a server would say (moderation, typing, older
 * history) and see exactly what the page asks.
 */
function chatRoute(chatPort, { rewrite = () => null, keep = () => false } = {}) {
  const route = { requests: [], socket: null };
  route.install = (page) => page.routeWebSocket((url) => url.port === chatPort, (ws) => {
    route.socket = ws;
    const server = ws.connectToServer();
    server.onMessage((frame) => {
      const event = JSON.parse(frame);
      ws.send(JSON.stringify(rewrite(event) || event));
    });
    ws.onMessage((frame) => {
      const request = JSON.parse(frame);
      if (keep(request)) route.requests.push(request);
      else server.send(frame);
    });
  });
  route.inject = (event) => route.socket.send(JSON.stringify(event));
  return route;
}

/** Every user's page ran without console errors, page errors, failed requests or dialogs. */
function assertClean(...users) {
  for (const user of users) assert.deepEqual(user.problems, [], `${user.nick}: problems on the page`);
}

module.exports = { assertClean, chatRoute, openUser, setHidden, roomPageUrl, readPage, DESKTOP, PHONE, WAIT_MS, NICK_KEY };
