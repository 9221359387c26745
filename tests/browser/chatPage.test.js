'use strict';
//
// The chat page people expect (links, several lines, the byte counter,
// grouping, the first dialog, reconnects...), two or three users in
// Chromium against the real webchatd and its chat-room plugin.
//
// Skipped only when the chat-room plugin (<plugin dir>/chatroom.so) has not
// been built.
//

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { playwright, launchChromium, startChatServer, chatroomMissing, screenshot, withOwnServer } = require('./support');
const { assertClean, chatRoute, openUser, setHidden, WAIT_MS } = require('./chatUser');

playwright(); // fail now, with instructions, if `npm ci` has not run

const skip = chatroomMissing();



/** The links in the messages of a page: text, href, target and rel of each. */
function readLinks(page) {
  return page.locator('#messages .msg a').evaluateAll((links) => links.map((a) => ({
    text: a.textContent, href: a.getAttribute('href'), target: a.target, rel: a.rel,
  })));
}

describe('the chat page people expect', { skip, timeout: 300000 }, () => {
  let server = null;
  let browser = null;

  before(async () => {
    server = await startChatServer({ chat: { max_text_bytes: 64 }, page: { max_text_bytes: 64 } });
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.kill();
  });

  test('web addresses are links that open apart; no other scheme is', async () => {
    const room = 'links';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      const text = 'see https://example.com/a?b=1, www.example.org.';
      await alice.say(text);
      await alice.say('javascript:alert(1) data:text/html,x');
      for (const user of [alice, bob]) {
        await user.waitForMessages([['Alice', text], ['Alice', 'javascript:alert(1) data:text/html,x']]);
        const rel = 'noopener noreferrer nofollow ugc';
        assert.deepEqual(await readLinks(user.page), [
          { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1', target: '_blank', rel },
          { text: 'www.example.org', href: 'http://www.example.org/', target: '_blank', rel },
        ]);
      }
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('Shift+Enter starts a new line, Enter sends; the line break arrives and shows', async () => {
    const room = 'lines';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      await alice.input.focus();
      await alice.page.keyboard.type('line one');
      await alice.page.keyboard.press('Shift+Enter');
      await alice.page.keyboard.type('line two');
      assert.equal(await alice.input.inputValue(), 'line one\nline two', 'Shift+Enter did not send');
      await alice.page.keyboard.press('Enter');
      for (const user of [alice, bob]) await user.waitForMessages([['Alice', 'line one\nline two']]);
      assert.equal(await alice.input.inputValue(), '');
      const shown = await bob.page.locator('#messages .msg .msg-text').first().evaluate((el) => ({
        whiteSpace: getComputedStyle(el).whiteSpace,
        lines: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)),
      }));
      assert.deepEqual(shown, { whiteSpace: 'pre-wrap', lines: 2 });
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('near the limit a counter says the bytes left; a text over it stays in the box', async () => {
    const room = 'limit';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      const counter = alice.page.locator('#message-count');
      await alice.input.fill('ệ'.repeat(10)); // 30 of 64 bytes: no counter yet
      assert.equal(await counter.isVisible(), false);
      await alice.input.fill('ệ'.repeat(20)); // 60 bytes (20 characters)
      assert.equal(await counter.textContent(), '4 bytes left');
      const over = 'ệ'.repeat(22); // 66 bytes
      await alice.input.fill(over);
      assert.equal(await counter.textContent(), '2 bytes too many');
      assert.equal(await alice.input.getAttribute('aria-invalid'), 'true');
      await alice.input.press('Enter');
      await alice.page.waitForFunction(() => document.getElementById('toast').textContent !== '', null, { timeout: WAIT_MS });
      assert.equal(await alice.page.locator('#toast').textContent(),
        'That message is 2 bytes over the limit of 64; it was not sent. Shorten it or split it.');
      assert.equal(await alice.input.inputValue(), over, 'the text stays, uncut');
      await screenshot(alice.page, 'composer-over-limit');

      // Shortened to the limit exactly: it goes out whole.
      const fits = 'ệ'.repeat(21) + 'a'; // 64 bytes
      await alice.input.fill(fits);
      await alice.input.press('Enter');
      for (const user of [alice, bob]) await user.waitForMessages([['Alice', fits]]);
      assert.equal(await counter.isVisible(), false);
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('one speaker\'s run of messages shows the name and time once', async () => {
    const room = 'runs';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      for (const text of ['one', 'two', 'three']) await alice.say(text);
      await bob.waitForMessages([['Alice', 'one'], ['Alice', 'two'], ['Alice', 'three']]);
      await bob.say('four');
      await alice.say('five');
      const expected = [['Alice', 'one'], ['Alice', 'two'], ['Alice', 'three'], ['Bob', 'four'], ['Alice', 'five']];
      for (const user of [alice, bob]) await user.waitForMessages(expected);
      const headed = await bob.page.locator('#messages .msg').evaluateAll((items) => items.map((item) => {
        const nick = item.querySelector('.msg-nick').getBoundingClientRect();
        const time = item.querySelector('.msg-time').getBoundingClientRect();
        return nick.width > 1 && time.width > 1;
      }));
      assert.deepEqual(headed, [true, false, false, true, true]);
      // The hidden names are still there for screen readers.
      assert.deepEqual((await bob.read()).messages.map((m) => m.nick), expected.map(([nick]) => nick));
      await screenshot(bob.page, 'grouped-desktop-light');
      await bob.page.setViewportSize({ width: 390, height: 844 });
      await bob.page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(bob.page, 'grouped-phone-dark');
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('behind the first dialog a room with history says to join to read it', async () => {
    const room = 'behind the dialog';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    let bob = null;
    try {
      await alice.say('before Bob came');
      await alice.waitForMessages([['Alice', 'before Bob came']]);
      bob = await openUser(browser, server, { nick: 'Bob', room, remembered: false, typeNick: false, connected: false });
      await bob.dialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      const emptyText = () => bob.page.locator('#messages').evaluate((el) => getComputedStyle(el, '::before').content);
      assert.equal(await emptyText(), '"Join to read the conversation."');
      await screenshot(bob.page, 'dialog-desktop-light');
      await bob.chooseNick('Bob');
      await bob.waitConnected();
      await bob.waitForMessages([['Alice', 'before Bob came']]);
      assertClean(alice, bob);
    } finally {
      await alice.close();
      if (bob) await bob.close();
    }
  });

  test('@mentions: marked, counted in the title while hidden, offered by the picker, notified when asked', async () => {
    const room = 'mentions';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const binh = await openUser(browser, server, { nick: 'Bình', room });
    const chi = await openUser(browser, server, { nick: 'Chi', room, beforeGoto: (page) => page.context().grantPermissions(['notifications']).then(() => page.addInitScript(() => {
      // Records the notifications the page shows (headless Chromium shows none).
      window.shownNotifications = [];
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title, options) {
          super(title, options);
          window.shownNotifications.push({ title, body: options && options.body });
        }
      };
    })) });
    try {
      for (const user of [alice, binh, chi]) await user.waitForUsers(['Alice', 'Bình', 'Chi']);
      // Notifications are asked for by the button, never on load.
      const bell = chi.page.getByRole('button', { name: 'Notify me of mentions' });
      assert.equal(await bell.getAttribute('aria-pressed'), 'false');
      await bell.click();
      await chi.page.waitForFunction(() => document.getElementById('notify').getAttribute('aria-pressed') === 'true', null, { timeout: WAIT_MS });

      // Typing @ offers the others; the keyboard picks one.
      await alice.input.focus();
      await alice.page.keyboard.type('hi @');
      const picker = alice.page.getByRole('listbox');
      await picker.waitFor({ state: 'visible', timeout: WAIT_MS });
      assert.deepEqual(await picker.getByRole('option').allTextContents(), ['Bình', 'Chi']);
      await alice.page.keyboard.type('c');
      assert.deepEqual(await picker.getByRole('option').allTextContents(), ['Chi']);
      await alice.page.keyboard.press('Escape');
      assert.equal(await picker.isVisible(), false);
      await alice.input.fill('');
      await alice.page.keyboard.type('hi @');
      await picker.waitFor({ state: 'visible', timeout: WAIT_MS });
      await alice.page.keyboard.press('ArrowDown');
      assert.equal(await picker.getByRole('option', { selected: true }).textContent(), 'Chi');
      await alice.page.keyboard.press('Enter'); // takes the nick, does not send
      assert.equal(await alice.input.inputValue(), 'hi @Chi ');
      assert.equal(await picker.isVisible(), false);

      await setHidden(chi, true);
      await alice.page.keyboard.type('look');
      await alice.page.keyboard.press('Enter');
      await alice.say('and @bình too');
      const expected = [['Alice', 'hi @Chi look'], ['Alice', 'and @bình too']];
      for (const user of [alice, binh, chi]) await user.waitForMessages(expected);
      // Chi: the mention marked, the message too, counted in the title and notified.
      const marks = (user) => user.page.locator('#messages .msg').evaluateAll((items) => items.map((item) => ({
        mentionsMe: item.classList.contains('msg-mention'),
        marked: Array.from(item.querySelectorAll('.mention'), (el) => [el.textContent, el.classList.contains('mention-me')]),
      })));
      assert.deepEqual(await marks(chi), [
        { mentionsMe: true, marked: [['@Chi', true]] },
        { mentionsMe: false, marked: [['@bình', false]] },
      ]);
      assert.deepEqual(await marks(binh), [
        { mentionsMe: false, marked: [['@Chi', false]] },
        { mentionsMe: true, marked: [['@bình', true]] },
      ]);
      assert.equal(await chi.page.title(), '(2 · @1) mentions · webchat');
      assert.deepEqual(await chi.page.evaluate(() => window.shownNotifications), [
        { title: 'Alice mentioned you in mentions', body: 'hi @Chi look' },
      ]);
      await setHidden(chi, false);
      assert.equal(await chi.page.title(), 'mentions · webchat');
      await screenshot(binh.page, 'mention-desktop-light');
      await binh.page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(binh.page, 'mention-desktop-dark');
      assertClean(alice, binh, chi);
    } finally {
      for (const user of [alice, binh, chi]) await user.close();
    }
  });

  // The test plays the server's part through the route, to count Alice's
  // typing frames exactly and to give Bob's page notices of people who are
  // not there (conversation.test.js runs typing through the real server).
  test('typing: at most one notice per 3 s; "is typing…" shown, and cleared within 8 s', async () => {
    const room = 'typing';
    const chatPort = new URL(server.chatUrl).port;
    const aliceRoute = chatRoute(chatPort, { keep: (request) => request.type === 'typing' });
    const bobRoute = chatRoute(chatPort);
    const alice = await openUser(browser, server, { nick: 'Alice', room, beforeGoto: aliceRoute.install });
    const bob = await openUser(browser, server, { nick: 'Bob', room, beforeGoto: async (page) => {
      await page.clock.install();
      await bobRoute.install(page);
    } });
    try {
      await alice.input.focus();
      await alice.page.keyboard.type('hello there', { delay: 50 });
      assert.deepEqual(aliceRoute.requests, [{ type: 'typing' }], 'one notice for a burst of typing');
      await alice.page.keyboard.press('Enter'); // a message is no typing
      await alice.page.keyboard.type('x');
      assert.deepEqual(aliceRoute.requests, [{ type: 'typing' }, { type: 'typing' }], 'after a message, typing is news again');

      await bob.waitForMessages([['Alice', 'hello there']]); // before the notices: her message ends her typing
      const line = bob.page.getByRole('status').and(bob.page.locator('#typing'));
      assert.equal(await line.getAttribute('aria-live'), 'polite');
      const says = (text) => bob.page.waitForFunction((want) => document.getElementById('typing').textContent === want, text, { timeout: WAIT_MS });
      bobRoute.inject({ type: 'typing', nick: 'Alice' });
      await says('Alice is typing…');
      bobRoute.inject({ type: 'typing', nick: 'Chi' });
      bobRoute.inject({ type: 'typing', nick: 'Dũng' });
      await says('3 people are typing…');
      await alice.say('done'); // Alice's message: she is no longer typing
      await says('Chi and Dũng are typing…');
      await screenshot(bob.page, 'typing-desktop-light');
      await bob.page.clock.fastForward(8100);
      await says('');
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});

// The test plays the server's part through the route, to see the page's
// exact history requests and to answer them when it chooses (live traffic
// first) with the room's real message events (as Alice's page got them),
// an overlap included. conversation.test.js asks the real server.
describe('older history on the page', { skip, timeout: 120000 }, () => {
  test('scrolling to the top loads older messages, with no gap and no duplicate against live traffic', () => withOwnServer({
    history_size: 10, rate_burst: 100, rate_per_second: 100,
  }, async ({ server, browser }) => {
    const chatPort = new URL(server.chatUrl).port;
    const sent = []; // the room's message events, as the server sent them
    const aliceRoute = chatRoute(chatPort, { rewrite: (event) => { if (event.type === 'message') sent.push(event); return null; } });
    const bobRoute = chatRoute(chatPort, { keep: (request) => request.type === 'history' });
    const room = 'older';
    const alice = await openUser(browser, server, { nick: 'Alice', room, beforeGoto: aliceRoute.install });
    const texts = Array.from({ length: 30 }, (_, i) => `message ${i + 1}`);
    for (const text of texts) await alice.say(text);
    await alice.waitFor('30 messages', (shown) => shown.messages.length === 30);
    const bob = await openUser(browser, server, {
      nick: 'Bob', room, beforeGoto: bobRoute.install, context: { viewport: { width: 800, height: 500 } },
    });
    const shownTexts = async () => (await bob.read()).messages.map((m) => m.text);
    await bob.waitFor('the last ten', (shown) => shown.messages.length === 10);
    assert.deepEqual(await shownTexts(), texts.slice(20));
    const older = bob.page.getByRole('button', { name: 'Older messages ↑' });
    assert.equal(await older.isVisible(), true);

    // The reader scrolls up: one request for the 50 before the oldest shown.
    await bob.page.locator('#messages').hover();
    await bob.page.mouse.wheel(0, -10000);
    await bob.page.waitForFunction(() => document.getElementById('messages').scrollTop === 0, null, { timeout: WAIT_MS });
    const deadline = Date.now() + WAIT_MS;
    while (bobRoute.requests.length === 0 && Date.now() < deadline) await bob.page.waitForTimeout(20);
    assert.deepEqual(bobRoute.requests, [{ type: 'history', before: 21, limit: 50 }]);
    // Live traffic meanwhile; then the answer: 11..21 (21 is shown already), more to come.
    await alice.say('live 31');
    await bob.waitFor('the live message', (shown) => shown.messages.at(-1).text === 'live 31');
    const top = await bob.page.locator('#messages .msg').first().evaluate((el) => el.getBoundingClientRect().top);
    bobRoute.inject({ type: 'history', messages: sent.slice(10, 21), more: true });
    await bob.waitFor('20 older and newer', (shown) => shown.messages.length === 21);
    assert.deepEqual(await shownTexts(), [...texts.slice(10), 'live 31']);
    // The view stays on what the reader was reading (message 21).
    const item21 = bob.page.locator('#messages .msg[data-id="21"]');
    assert.ok(Math.abs(await item21.evaluate((el) => el.getBoundingClientRect().top) - top) < 2, 'the view jumped');
    // Message 11 continues Alice's run from message 12 on: grouping holds across the seam.
    assert.deepEqual(await bob.page.locator('#messages .msg').evaluateAll((items) => items.slice(0, 3).map((el) => el.classList.contains('msg-continued'))), [false, true, true]);

    // The rest by the button (the keyboard's way), the last page: the button goes.
    await older.focus();
    await bob.page.keyboard.press('Enter');
    while (bobRoute.requests.length < 2 && Date.now() < deadline + WAIT_MS) await bob.page.waitForTimeout(20);
    assert.deepEqual(bobRoute.requests[1], { type: 'history', before: 11, limit: 50 });
    bobRoute.inject({ type: 'history', messages: sent.slice(0, 10), more: false });
    await bob.waitFor('everything', (shown) => shown.messages.length === 31);
    assert.deepEqual(await shownTexts(), [...texts, 'live 31']);
    assert.deepEqual((await bob.read()).messages.map((m) => m.id), Array.from({ length: 31 }, (_, i) => i + 1));
    assert.equal(await older.isVisible(), false);
    await screenshot(bob.page, 'older-history-desktop-light');
    assertClean(alice, bob);
    await alice.close();
    await bob.close();
  }));
});

// route.fetch() sends the page's request from Playwright's own HTTP client,
// which reuses idle keep-alive connections but, unlike a browser, does not
// send an idempotent request again when the server closed the connection
// just as it was reused (RFC 9112, 9.3.1): the server closes idle ones at
// keep_alive_timeout_ms and when it needs room. Once more, as a browser would.
async function fetchRetrying(route) {
  try {
    return await route.fetch();
  } catch (error) {
    if (!/socket hang up|ECONNRESET/.test(String(error && error.message))) throw error;
    return route.fetch();
  }
}

// The test answers GET /rooms through a route, with a list the server could
// not give (a room name the page must refuse to link), and widens the page's
// policy to any path of the chat listener; conversation.test.js asks the
// real server through the page plugin's own policy.
describe('the room list on the page', { skip, timeout: 120000 }, () => {
  test('the list shows rooms with their counts; switching is without a reload; the link is copied', () => withOwnServer({}, async ({ server, browser }) => {
    const chatPort = new URL(server.chatUrl).port;
    const pageOrigin = new URL(server.pageUrl).origin;
    const roomsAsked = [];
    async function routeRooms(page) {
      // A page answered by the route is not known to come from loopback: it may reach it when allowed.
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write', 'local-network-access'], { origin: pageOrigin });
      await page.route(`${pageOrigin}/**`, async (route) => {
        const response = await fetchRetrying(route);
        const headers = { ...response.headers() };
        headers['content-security-policy'] = headers['content-security-policy']
          .replace(`ws://127.0.0.1:${chatPort}`, `ws://127.0.0.1:${chatPort} http://127.0.0.1:${chatPort}`);
        await route.fulfill({ response, headers });
      });
      await page.route(`http://127.0.0.1:${chatPort}/rooms`, (route) => {
        roomsAsked.push(route.request().url());
        return route.fulfill({
          status: 200,
          headers: { 'content-type': 'application/json', 'access-control-allow-origin': pageOrigin },
          body: JSON.stringify([{ room: 'alpha', users: 2 }, { room: 'lobby', users: 1 }, { room: 'bad/name', users: 9 }]),
        });
      });
    }
    const alice = await openUser(browser, server, { nick: 'Alice', room: 'alpha' });
    await alice.say('in alpha');
    const bob = await openUser(browser, server, { nick: 'Bob', beforeGoto: routeRooms }); // "/": the lobby
    await bob.page.evaluate(() => { window.sameDocument = true; });
    const list = bob.page.getByRole('navigation', { name: 'Rooms' });
    await list.getByRole('link').first().waitFor({ timeout: WAIT_MS });
    assert.deepEqual(await list.getByRole('link').allTextContents(), ['alpha 2 here', 'lobby 1 here']);
    assert.equal(await list.getByRole('link', { name: /^lobby/ }).getAttribute('aria-current'), 'page');
    assert.equal(roomsAsked[0], `http://127.0.0.1:${chatPort}/rooms`);
    await screenshot(bob.page, 'rooms-desktop-light');

    // A room of the list: the same document, another room.
    await list.getByRole('link', { name: /^alpha/ }).click();
    await bob.waitForMessages([['Alice', 'in alpha']]);
    await bob.waitForUsers(['Alice', 'Bob']);
    await alice.waitForNotice('Bob joined');
    assert.equal(bob.page.url(), `${server.pageUrl}?room=alpha`);
    assert.ok(bob.sockets.at(-1).startsWith(`${server.chatUrl}alpha?nick=Bob&token=`), bob.sockets.at(-1)); // the nick and its token go along
    assert.equal(await bob.page.locator('#room-name').textContent(), 'alpha');
    assert.equal(await bob.page.title(), 'alpha · webchat');
    assert.equal(await bob.page.evaluate(() => window.sameDocument), true, 'the page was reloaded');

    // A room by name, created by joining it.
    await bob.page.getByRole('textbox', { name: 'Join or create a room' }).fill('Hà Nội');
    await bob.page.getByRole('textbox', { name: 'Join or create a room' }).press('Enter');
    await bob.waitFor('the new room', (shown) => shown.users.length === 1 && shown.messages.length === 0);
    assert.equal(bob.page.url(), `${server.pageUrl}?room=H%C3%A0%20N%E1%BB%99i`);
    assert.ok(bob.sockets.at(-1).startsWith(`${server.chatUrl}H%C3%A0%20N%E1%BB%99i?nick=Bob&token=`), bob.sockets.at(-1));
    await alice.waitForNotice('Bob left');

    await bob.page.getByRole('button', { name: 'Copy link to this room' }).click();
    await bob.page.waitForFunction(() => document.getElementById('toast').textContent !== '', null, { timeout: WAIT_MS });
    assert.equal(await bob.page.evaluate(() => navigator.clipboard.readText()), `${server.pageUrl}?room=H%C3%A0%20N%E1%BB%99i`);

    // Back: alpha again.
    await bob.page.goBack();
    await bob.waitForMessages([['Alice', 'in alpha']]);
    assert.equal(await bob.page.locator('#room-name').textContent(), 'alpha');
    assert.equal(await bob.page.evaluate(() => window.sameDocument), true);
    assertClean(alice, bob);
    await alice.close();
    await bob.close();
  }));
});

describe('the chat page across an outage', { skip, timeout: 120000 }, () => {
  test('the conversation says when the connection was lost and when it is back, in each language', () => withOwnServer({}, async ({ server, browser }) => {
    const alice = await openUser(browser, server, { nick: 'Alice', room: 'outage' });
    const binh = await openUser(browser, server, { nick: 'Bình', room: 'outage', context: { locale: 'vi-VN' } });
    await alice.say('before');
    for (const user of [alice, binh]) await user.waitForMessages([['Alice', 'before']]);

    assert.deepEqual(await server.stop(), { code: 0, signal: null });
    const lost = { Alice: 'Connection lost; reconnecting…', Bình: 'Mất kết nối; đang kết nối lại…' };
    const back = { Alice: 'Reconnected.', Bình: 'Đã kết nối lại.' };
    for (const user of [alice, binh]) await user.waitForNotice(lost[user.nick]);
    await server.start();
    for (const user of [alice, binh]) {
      await user.waitConnected();
      const shown = await user.waitForNotice(back[user.nick]);
      const lines = shown.notices.filter((text) => text === lost[user.nick] || text === back[user.nick]);
      assert.deepEqual(lines, [lost[user.nick], back[user.nick]], 'one of each, in order');
    }
    await alice.say('after');
    for (const user of [alice, binh]) await user.waitForMessages([['Alice', 'before'], ['Alice', 'after']]);
    await screenshot(binh.page, 'reconnected-vi-desktop-light');
    // The server going away is the only trouble the pages saw.
    await alice.close();
    await binh.close();
  }));
});
