'use strict';
//
// The chat page speaking the chat-room protocol (docs/PROTOCOL.md) with the
// real webchatd and its chat-room plugin, on free loopback ports: people in
// separate browser contexts see each other in the member list, chat (text
// stays text), change nicks (another spelling of a nick is that nick), reload, lose their connection and resume, live
// through a server restart (the room kept by SQLite, or started afresh by
// the memory backend), join a room named in Vietnamese in the page URL;
// the page counts unread messages in the title while hidden, speaks
// Vietnamese to a vi-VN browser, fits a phone and works from the keyboard.
// No test tolerates a console error other than a refused WebSocket while
// the server is down, or any page error or dialog.
//
// Skipped only when the chat-room plugin (<plugin dir>/chatroom.so) has not
// been built.
//

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { playwright, launchChromium, startChatServer, chatroomMissing, screenshot } = require('./support');
const { assertClean, openUser, setHidden, DESKTOP, PHONE, WAIT_MS, NICK_KEY } = require('./chatUser');

playwright(); // fail now, with instructions, if `npm ci` has not run

const skip = chatroomMissing();

const VIETNAMESE = 'Xin chào, thế giới! Tiếng Việt có dấu: ắ ằ ẳ ẵ ặ ơ ư đ';
const MARKUP = '<img src=x onerror=alert(1)>';


/** Waits for a condition on the test's side (polled; the condition, not the time, ends the wait). */
async function waitUntil(what, condition) {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Says `text` and waits until the page shows it back with its id: whoever
 * speaks next comes after it in the room (two people's messages have no set
 * order otherwise).
 */
async function sayFirst(user, text) {
  await user.say(text);
  await user.waitFor(`own message ${JSON.stringify(text)}`, (shown) => shown.messages.some((m) => m.own && m.id && m.text === text));
}

/** A socket URL's room path and query: { path, query: { nick, since, epoch... } }. */
function socketParts(url) {
  const parsed = new URL(url);
  return { path: `${parsed.protocol}//${parsed.host}${parsed.pathname}`, query: Object.fromEntries(parsed.searchParams) };
}

const EPOCH = /^[0-9a-f]{16}$/;

function waitForTitle(user, title) {
  return user.page.waitForFunction((want) => document.title === want, title, { timeout: WAIT_MS })
    .catch(async (error) => {
      assert.equal(await user.page.title(), title, 'title');
      throw error;
    });
}

describe('chat rooms in the browser', { skip, timeout: 300000 }, () => {
  let server = null; // shared by the tests that do not restart it; each uses rooms of its own
  let browser = null;

  before(async () => {
    server = await startChatServer({ chat: { history_size: 5 } });
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.kill();
  });

  test('two users see each other and chat; messages stay text, own ones are marked, times are local', async () => {
    const room = 'two users';
    // Alice types her nick into the dialog; Bob's was remembered from an
    // earlier visit. They live on opposite sides of the world.
    const alice = await openUser(browser, server, {
      nick: 'Alice', remembered: false, room, context: { ...DESKTOP, timezoneId: 'America/New_York' },
    });
    const bob = await openUser(browser, server, {
      nick: 'Bob', room, context: { ...PHONE, colorScheme: 'dark', timezoneId: 'Asia/Ho_Chi_Minh' },
    });
    try {
      assert.equal(alice.sockets[0], `${server.chatUrl}two%20users?nick=Alice`);
      assert.equal(bob.sockets[0], `${server.chatUrl}two%20users?nick=Bob`);
      for (const user of [alice, bob]) await user.waitForUsers(['Alice', 'Bob']);
      await alice.waitForNotice('Bob joined');
      // The nick typed into the dialog is remembered for next time.
      assert.equal(await alice.page.evaluate((key) => localStorage.getItem(key), NICK_KEY), 'Alice');

      // The member list is a list under a heading; one's own entry says so.
      const people = alice.page.getByRole('complementary', { name: /People here/ });
      assert.equal(await people.getByRole('heading', { level: 2 }).textContent(), 'People here (2)');
      assert.deepEqual(await people.getByRole('listitem').allTextContents(), ['Alice (you)', 'Bob']);

      const imagesBefore = await Promise.all([alice, bob].map((user) => user.page.locator('img').count()));
      const before = Date.now();
      await sayFirst(alice, VIETNAMESE);
      await bob.input.fill(MARKUP);
      await bob.send.click();
      const expected = [['Alice', VIETNAMESE], ['Bob', MARKUP]];
      const shown = {};
      for (const user of [alice, bob]) shown[user.nick] = await user.waitForMessages(expected);
      const afterSent = Date.now();
      assert.equal(await alice.input.inputValue(), '', 'the input is cleared once sent');
      assert.equal(await bob.input.inputValue(), '');

      // Ids as the server gave them; own messages marked for the eye (class)
      // and in the text a screen reader reads ("Alice (you)").
      assert.deepEqual(shown.Alice.messages.map((m) => [m.id, m.own]), [[1, true], [2, false]]);
      assert.deepEqual(shown.Bob.messages.map((m) => [m.id, m.own]), [[1, false], [2, true]]);
      const spoken = (user, i) => user.page.locator('#messages .msg').nth(i).evaluate((el) => el.textContent.replace(/\s+/g, ' ').trim());
      assert.match(await spoken(alice, 0), /^Alice \(you\) \S+/);
      assert.match(await spoken(alice, 1), /^Bob \d/);
      assert.match(await spoken(bob, 0), /^Alice \d/);

      for (const [i, user] of [alice, bob].entries()) {
        assert.equal(await user.page.locator('#messages img').count(), 0, 'markup in a message became an element');
        assert.equal(await user.page.locator('img').count(), imagesBefore[i]);
      }

      // Times: the server's timestamp, shown in the reader's own time zone.
      const times = {};
      for (const user of [alice, bob]) {
        times[user.nick] = await user.page.locator('#messages .msg time').evaluateAll((els) => els.map((el) => ({
          iso: el.dateTime,
          text: el.textContent,
          local: new Intl.DateTimeFormat(navigator.language, { hour: '2-digit', minute: '2-digit' }).format(new Date(el.dateTime)),
        })));
        for (const time of times[user.nick]) {
          const ms = Date.parse(time.iso);
          assert.ok(ms >= before - 5000 && ms <= afterSent + 5000, `timestamp ${time.iso} is not about now`);
          assert.equal(time.text, time.local);
        }
      }
      assert.equal(times.Alice[0].iso, times.Bob[0].iso);
      assert.notEqual(times.Alice[0].text, times.Bob[0].text, 'New York and Hồ Chí Minh City show the same clock time');

      await screenshot(alice.page, 'chat-desktop-light');
      await alice.page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(alice.page, 'chat-desktop-dark');
      await screenshot(bob.page, 'chat-phone-dark');
      await bob.page.emulateMedia({ colorScheme: 'light' });
      await screenshot(bob.page, 'chat-phone-light');
      assertClean(alice, bob);

      // Bob leaves.
      await bob.close();
      await alice.waitForNotice('Bob left');
      await alice.waitForUsers(['Alice']);
      assertClean(alice);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('nick changes: the nick button, /nick, and a taken nick asks again', async () => {
    const room = 'nicks';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      for (const user of [alice, bob]) await user.waitForUsers(['Alice', 'Bob']);

      // The button opens the dialog with the current nick, focused.
      const nickButton = alice.page.getByRole('button', { name: /Change nickname/ });
      assert.equal(await nickButton.textContent().then((text) => text.replace(/\s+/g, ' ').trim()), '✎ Change nickname: Alice');
      await nickButton.click();
      const dialog = alice.page.getByRole('dialog', { name: 'Change your nickname' });
      await dialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      const field = dialog.getByRole('textbox', { name: 'Nickname' });
      assert.ok(await field.evaluate((el) => el === document.activeElement), 'focus is in the nick field');
      assert.equal(await field.inputValue(), 'Alice');
      await field.fill('Alice Nguyễn');
      await field.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
      await alice.waitForNotice('You are now Alice Nguyễn');
      await bob.waitForNotice('Alice is now Alice Nguyễn');
      for (const user of [alice, bob]) await user.waitForUsers(['Alice Nguyễn', 'Bob']);
      assert.ok(await nickButton.evaluate((el) => el === document.activeElement), 'focus returns to the button that opened the dialog');
      assert.equal(await nickButton.textContent().then((text) => text.replace(/\s+/g, ' ').trim()), '✎ Change nickname: Alice Nguyễn');
      assert.equal(await alice.page.evaluate((key) => localStorage.getItem(key), NICK_KEY), 'Alice Nguyễn');

      // /nick in the message box.
      await bob.say('/nick Bảo');
      await bob.waitForNotice('You are now Bảo');
      await alice.waitForNotice('Bob is now Bảo');
      for (const user of [alice, bob]) await user.waitForUsers(['Alice Nguyễn', 'Bảo']);
      assert.equal(await bob.input.inputValue(), '');

      // A nick someone has: the dialog says so; Escape leaves things as they were.
      await bob.say('/nick Alice Nguyễn');
      const bobDialog = bob.page.getByRole('dialog', { name: 'Change your nickname' });
      await bobDialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      await bob.page.getByRole('alert').filter({ hasText: 'is already taken' }).waitFor({ timeout: WAIT_MS });
      assert.equal(await bob.page.getByRole('alert').textContent(),
        '“Alice Nguyễn” is already taken in this room. Please choose another nickname.');
      const bobField = bobDialog.getByRole('textbox', { name: 'Nickname' });
      assert.equal(await bobField.getAttribute('aria-invalid'), 'true');
      assert.ok(await bobField.evaluate((el) => el === document.activeElement));
      await bob.page.keyboard.press('Escape');
      await bobDialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
      assert.ok(await bob.input.evaluate((el) => el === document.activeElement), 'focus returns to the message input');
      for (const user of [alice, bob]) await user.waitForUsers(['Alice Nguyễn', 'Bảo']);

      // Nobody sent a chat message in all this.
      for (const user of [alice, bob]) assert.deepEqual((await user.read()).messages, []);
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('joining with a nick already in the room: the page asks for another', async () => {
    const room = 'taken';
    const an = await openUser(browser, server, { nick: 'An', room });
    // Chi types "An" too.
    const chi = await openUser(browser, server, { nick: 'An', remembered: false, room, connected: false });
    try {
      const dialog = chi.page.getByRole('dialog', { name: 'Choose a nickname' });
      await chi.page.getByRole('alert').filter({ hasText: 'is already taken' }).waitFor({ timeout: WAIT_MS });
      assert.ok(await dialog.isVisible());
      assert.equal(await chi.page.getByRole('alert').textContent(), '“An” is already taken in this room. Please choose another nickname.');
      const field = dialog.getByRole('textbox', { name: 'Nickname' });
      assert.equal(await field.inputValue(), 'An');
      assert.ok(await field.evaluate((el) => el === document.activeElement), 'focus is in the nick field');
      assert.equal(await chi.send.isDisabled(), true);

      await chi.chooseNick('Chi');
      await chi.waitConnected();
      for (const user of [an, chi]) await user.waitForUsers(['An', 'Chi']);
      assert.deepEqual(chi.sockets, [`${server.chatUrl}taken?nick=An`, `${server.chatUrl}taken?nick=Chi`]);
      assert.equal(await chi.page.evaluate((key) => localStorage.getItem(key), NICK_KEY), 'Chi', 'the accepted nick is remembered');
      await an.waitForNotice('Chi joined');
      assertClean(an, chi);
    } finally {
      await an.close();
      await chi.close();
    }
  });

  test('another spelling of a nick in the room is taken; of a room, the same room', async () => {
    const an = await openUser(browser, server, { nick: 'An', room: 'Spelt' });
    // Chi types An in fullwidth letters, in the room spelt in capitals.
    const chi = await openUser(browser, server, { nick: '\uFF21\uFF2E', remembered: false, room: 'SPELT', connected: false });
    try {
      await chi.page.getByRole('alert').filter({ hasText: 'is already taken' }).waitFor({ timeout: WAIT_MS });
      assert.equal(await chi.page.getByRole('alert').textContent(), '“\uFF21\uFF2E” is already taken in this room. Please choose another nickname.');
      await chi.chooseNick('Chi');
      await chi.waitConnected();
      // One room: each sees the other and what the other says.
      for (const user of [an, chi]) await user.waitForUsers(['An', 'Chi']);
      await sayFirst(chi, 'one room');
      await an.waitFor('the message of Chi', (shown) => shown.messages.some((m) => m.nick === 'Chi' && m.text === 'one room' && !m.own));
      assertClean(an, chi);
    } finally {
      await an.close();
      await chi.close();
    }
  });

  test('a reload shows the history, once, without asking the nick again', async () => {
    const room = 'reload';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      await sayFirst(alice, 'first');
      await sayFirst(bob, 'second');
      await alice.say('third');
      const expected = [['Alice', 'first'], ['Bob', 'second'], ['Alice', 'third']];
      for (const user of [alice, bob]) await user.waitForMessages(expected);

      await bob.page.reload();
      await bob.waitConnected();
      const shown = await bob.waitForMessages(expected);
      assert.deepEqual(shown.messages.map((m) => [m.id, m.own]), [[1, false], [2, true], [3, false]]);
      assert.equal(await bob.dialog.count(), 0, 'the nick dialog showed again');
      await bob.waitForUsers(['Alice', 'Bob']);
      const reloaded = socketParts(bob.sockets.at(-1));
      assert.equal(reloaded.path, `${server.chatUrl}reload`);
      assert.deepEqual(Object.keys(reloaded.query), ['nick', 'token'], 'a new page asks for the whole history, with its nick token');
      await alice.waitForNotice('Bob left');
      await alice.waitForNotice('Bob joined');
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('a dropped connection resumes with since=: what was missed arrives once, a gap is announced', async () => {
    const room = 'resume';
    const chatPort = new URL(server.chatUrl).port;
    // Alice's WebSocket goes through playwright, so the test can cut it and
    // hold her reconnection back while Bob talks.
    const routes = [];
    let gate = null;
    const alice = await openUser(browser, server, {
      nick: 'Alice',
      room,
      beforeGoto: (page) => page.routeWebSocket((url) => url.port === chatPort, async (ws) => {
        routes.push(ws);
        if (gate) await gate.promise;
        ws.connectToServer();
      }),
    });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    const hold = () => {
      let release = null;
      const promise = new Promise((resolve) => { release = resolve; });
      gate = { promise, release };
    };
    /** Cuts Alice's connection, lets Bob say `texts` meanwhile, then lets her back in. */
    const awayWhile = async (texts) => {
      hold();
      const routed = routes.length;
      await routes.at(-1).close({ code: 1001, reason: 'test: going away' });
      await alice.page.waitForSelector('#status:is([data-state="connecting"], [data-state="reconnecting"])', { timeout: WAIT_MS });
      await bob.waitForNotice('Alice left');
      for (const text of texts) await bob.say(text);
      await bob.waitFor(`own messages ${texts}`, (shown) => shown.messages.at(-1).text === texts.at(-1));
      // She is trying to come back (held at the route); now let her in.
      await waitUntil('Alice reconnecting', () => routes.length > routed);
      gate.release();
      gate = null;
      await alice.waitConnected();
    };
    try {
      await alice.waitForUsers(['Alice', 'Bob']);
      await bob.say('one');
      await alice.waitForMessages([['Bob', 'one']]);

      // Away for two messages: the history still has them. The page gives
      // the room's epoch with since: the same room, so no reset.
      await awayWhile(['two', 'three']);
      const first = socketParts(alice.sockets.at(-1));
      assert.equal(first.path, `${server.chatUrl}resume`);
      assert.deepEqual(Object.keys(first.query), ['nick', 'token', 'since', 'epoch']);
      assert.equal(first.query.nick, 'Alice');
      assert.equal(first.query.since, '1');
      assert.match(first.query.epoch, EPOCH);
      let shown = await alice.waitForMessages([['Bob', 'one'], ['Bob', 'two'], ['Bob', 'three']]);
      assert.deepEqual(shown.messages.map((m) => m.id), [1, 2, 3]);
      assert.ok(!shown.notices.some((text) => /missed/.test(text)), `no gap expected: ${shown.notices}`);

      // Away for six: the room keeps five (history_size), so 4 is lost.
      await awayWhile(['four', 'five', 'six', 'seven', 'eight', 'nine']);
      assert.deepEqual(socketParts(alice.sockets.at(-1)).query, { nick: 'Alice', token: first.query.token, since: '3', epoch: first.query.epoch });
      shown = await alice.waitForMessages([['Bob', 'one'], ['Bob', 'two'], ['Bob', 'three'],
        ['Bob', 'five'], ['Bob', 'six'], ['Bob', 'seven'], ['Bob', 'eight'], ['Bob', 'nine']]);
      assert.deepEqual(shown.messages.map((m) => m.id), [1, 2, 3, 5, 6, 7, 8, 9]);
      assert.ok(shown.notices.includes('A message was missed (message 4 is no longer available).'), JSON.stringify(shown.notices));

      // A duplicate event (as a misbehaving server or proxy might send) is dropped by id.
      routes.at(-1).send(JSON.stringify({ type: 'message', id: 9, nick: 'Bob', text: 'nine', ts: Date.now() }));
      await bob.say('ten');
      shown = await alice.waitFor('message ten', (s) => s.messages.at(-1).text === 'ten');
      assert.deepEqual(shown.messages.map((m) => m.id), [1, 2, 3, 5, 6, 7, 8, 9, 10]);
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('a third user joins a room named in Vietnamese in the page URL', async () => {
    const room = 'Hà Nội';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    const dung = await openUser(browser, server, { nick: 'Dũng' }); // in the lobby
    let chi = null;
    try {
      await alice.say('Chào Hà Nội');
      for (const user of [alice, bob]) await user.waitForMessages([['Alice', 'Chào Hà Nội']]);

      chi = await openUser(browser, server, { nick: 'Chi', room, context: { ...PHONE, locale: 'vi-VN' } });
      assert.equal(chi.page.url(), `${server.pageUrl}?room=H%C3%A0%20N%E1%BB%99i`);
      assert.equal(chi.sockets[0], `${server.chatUrl}H%C3%A0%20N%E1%BB%99i?nick=Chi`);
      assert.equal(await chi.page.locator('#room-name').textContent(), 'Hà Nội');
      assert.equal(await chi.page.title(), 'Hà Nội · webchat');
      await chi.waitForMessages([['Alice', 'Chào Hà Nội']]); // the history
      for (const user of [alice, bob, chi]) await user.waitForUsers(['Alice', 'Bob', 'Chi']);
      await alice.waitForNotice('Chi joined');

      await chi.say('Xin chào cả nhà!');
      for (const user of [alice, bob, chi]) await user.waitForMessages([['Alice', 'Chào Hà Nội'], ['Chi', 'Xin chào cả nhà!']]);

      // The lobby is another room: Dũng saw none of it.
      await dung.say('lobby only');
      const lobby = await dung.waitForMessages([['Dũng', 'lobby only']]);
      assert.deepEqual(lobby.users, ['Dũng']);
      assert.equal(dung.sockets[0], `${server.chatUrl}lobby?nick=D%C5%A9ng`);
      for (const user of [alice, bob, chi]) {
        assert.ok(!(await user.read()).messages.some((m) => m.text === 'lobby only'));
      }
      await screenshot(chi.page, 'room-vi-phone-light');
      assertClean(alice, bob, chi, dung);
    } finally {
      for (const user of [alice, bob, dung, chi]) if (user) await user.close();
    }
  });

  test('unread messages are counted in the title while the tab is hidden', async () => {
    const room = 'unread';
    const alice = await openUser(browser, server, { nick: 'Alice', room });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      await alice.waitForUsers(['Alice', 'Bob']);
      assert.equal(await alice.page.title(), 'unread · webchat');
      await setHidden(alice, true);
      await bob.say('are you there?');
      await waitForTitle(alice, '(1) unread · webchat');
      await bob.say('hello?');
      await waitForTitle(alice, '(2) unread · webchat');
      // Notices and one's own messages do not count.
      await alice.say('typing blind');
      await alice.waitForMessages([['Bob', 'are you there?'], ['Bob', 'hello?'], ['Alice', 'typing blind']]);
      assert.equal(await alice.page.title(), '(2) unread · webchat');

      await setHidden(alice, false);
      await waitForTitle(alice, 'unread · webchat');
      await bob.say('there you are');
      await alice.waitForMessages([['Bob', 'are you there?'], ['Bob', 'hello?'], ['Alice', 'typing blind'], ['Bob', 'there you are']]);
      assert.equal(await alice.page.title(), 'unread · webchat', 'counted while visible');
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('a vi-VN browser gets the Vietnamese UI and Vietnamese dates', async () => {
    const room = 'tiếng việt';
    const an = await openUser(browser, server, {
      nick: 'An', remembered: false, typeNick: false, room, connected: false, context: { ...DESKTOP, locale: 'vi-VN' },
    });
    let binh = null;
    try {
      assert.equal(await an.page.evaluate(() => document.documentElement.lang), 'vi');
      const dialog = an.page.getByRole('dialog', { name: 'Chọn biệt danh' });
      await dialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      assert.ok(await dialog.getByRole('button', { name: 'Vào phòng' }).isVisible());
      assert.ok(await dialog.getByRole('button', { name: 'Vào với tư cách khách' }).isVisible());
      await screenshot(an.page, 'vi-dialog-desktop-light');
      await an.chooseNick('An');
      await an.waitConnected();

      assert.equal(await an.page.locator('#status-text').textContent(), 'Đã kết nối');
      assert.ok(await an.page.getByRole('textbox', { name: 'Tin nhắn', exact: true }).isVisible());
      assert.ok(await an.page.getByRole('button', { name: 'Gửi', exact: true }).isVisible());
      assert.ok(await an.page.getByRole('log', { name: 'Tin nhắn' }).isVisible());
      assert.equal(await an.input.getAttribute('placeholder'), 'Nhập tin nhắn…');
      assert.equal(await an.page.getByRole('heading', { level: 2, name: /Người trong phòng/ }).textContent(), 'Người trong phòng (1)');
      await an.waitForNotice('Bạn đã vào phòng tiếng việt với tên An.');

      binh = await openUser(browser, server, { nick: 'Bình', room, context: { ...PHONE, locale: 'vi-VN', colorScheme: 'dark' } });
      await an.waitForNotice('Bình đã vào phòng');
      await binh.say('Chào An!');
      await an.waitForMessages([['Bình', 'Chào An!']]);
      await binh.waitForMessages([['Bình', 'Chào An!']]);
      assert.match(await binh.page.locator('#messages .msg').first().evaluate((el) => el.textContent.replace(/\s+/g, ' ')), /^Bình \(bạn\) \d/);

      // The time is formatted for vi-VN (whatever the system's locale is).
      const time = await an.page.locator('#messages .msg time').first().evaluate((el) => ({
        text: el.textContent,
        vi: new Intl.DateTimeFormat('vi-VN', { hour: '2-digit', minute: '2-digit' }).format(new Date(el.dateTime)),
        title: el.title,
        viFull: new Intl.DateTimeFormat('vi-VN', { dateStyle: 'full', timeStyle: 'medium' }).format(new Date(el.dateTime)),
      }));
      assert.equal(time.text, time.vi);
      assert.equal(time.title, time.viFull);

      await screenshot(an.page, 'vi-desktop-light');
      await an.page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(an.page, 'vi-desktop-dark');
      await screenshot(binh.page, 'vi-phone-dark');
      await binh.page.getByRole('button', { name: 'Mọi người (2)' }).click();
      await binh.page.emulateMedia({ colorScheme: 'light' });
      await screenshot(binh.page, 'vi-phone-light-people');
      await binh.close();
      await an.waitForNotice('Bình đã rời phòng');
      assertClean(an, binh);
    } finally {
      await an.close();
      if (binh) await binh.close();
    }
  });

  test('phone: the member list folds behind a button; no horizontal scroll; keyboard use', async () => {
    const room = 'small screen';
    const alice = await openUser(browser, server, { nick: 'Alice', room, context: PHONE });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      await alice.waitForUsers(['Alice', 'Bob']);
      const panel = alice.page.locator('#users-panel');
      const toggle = alice.page.getByRole('button', { name: 'People (2)' });
      assert.equal(await panel.isVisible(), false, 'the member list takes no room until asked for');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      await toggle.click();
      await panel.waitFor({ state: 'visible', timeout: WAIT_MS });
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      assert.deepEqual(await panel.getByRole('listitem').allTextContents(), ['Alice (you)', 'Bob']);
      await alice.page.keyboard.press('Escape');
      await panel.waitFor({ state: 'hidden', timeout: WAIT_MS });
      assert.ok(await toggle.evaluate((el) => el === document.activeElement), 'focus stays on the toggle');

      await bob.say('W'.repeat(300));
      await bob.say(VIETNAMESE);
      await alice.waitForMessages([['Bob', 'W'.repeat(300)], ['Bob', VIETNAMESE]]);
      const widths = await alice.page.evaluate(() => ({
        page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
        list: [document.getElementById('messages').scrollWidth, document.getElementById('messages').clientWidth],
        header: [document.querySelector('.topbar').scrollWidth, document.querySelector('.topbar').clientWidth],
      }));
      for (const [what, [scroll, client]] of Object.entries(widths)) {
        assert.ok(scroll <= client, `${what} scrolls sideways: ${JSON.stringify(widths)}`);
      }
      await screenshot(alice.page, 'phone-chat-light');

      // The keyboard, on the desktop: Tab goes nick button → messages → input
      // → Send; Enter sends.
      await bob.page.getByRole('button', { name: /Change nickname/ }).focus();
      const order = [];
      for (let i = 0; i < 3; i += 1) {
        await bob.page.keyboard.press('Tab');
        order.push(await bob.page.evaluate(() => document.activeElement.id));
      }
      assert.deepEqual(order, ['messages', 'message', 'send']);
      await bob.page.keyboard.press('Shift+Tab');
      await bob.page.keyboard.type('sent with the keyboard');
      await bob.page.keyboard.press('Enter');
      await alice.waitFor('the keyboard message', (shown) => shown.messages.at(-1).text === 'sent with the keyboard');
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});

describe('chat rooms across a server restart', { skip, timeout: 120000 }, () => {
  test('the pages reconnect by themselves; the memory room starts afresh (reset)', async () => {
    const server = await startChatServer({ chat: { backend: 'memory' } });
    const browser = await launchChromium();
    try {
      const alice = await openUser(browser, server, { nick: 'Alice' });
      const bob = await openUser(browser, server, { nick: 'Bob', context: PHONE });
      await sayFirst(alice, 'before the restart');
      await bob.say('me too');
      for (const user of [alice, bob]) await user.waitForMessages([['Alice', 'before the restart'], ['Bob', 'me too']]);

      assert.deepEqual(await server.stop(), { code: 0, signal: null });
      for (const user of [alice, bob]) {
        await user.page.waitForSelector('#status:is([data-state="connecting"], [data-state="reconnecting"])', { timeout: WAIT_MS });
        assert.ok(await user.send.isDisabled(), 'Send is disabled while disconnected');
      }
      await server.start(); // same ports, empty rooms

      const reset = 'The room was started afresh on the server (after a restart, for instance): earlier messages are gone.';
      for (const user of [alice, bob]) {
        await user.waitConnected();
        // The old room's epoch with since: the new room tells the page to reset.
        const { path: room, query } = socketParts(user.sockets.at(-1));
        assert.equal(room, `${server.chatUrl}lobby`);
        assert.equal(query.nick, user.nick);
        assert.equal(query.since, '2');
        assert.match(query.epoch, EPOCH);
        const shown = await user.waitForNotice(reset);
        assert.deepEqual(shown.messages, [], 'the old messages are gone with the old room');
      }
      for (const user of [alice, bob]) await user.waitForUsers(['Alice', 'Bob']);

      await alice.say('after the restart');
      for (const user of [alice, bob]) {
        const shown = await user.waitForMessages([['Alice', 'after the restart']]);
        assert.deepEqual(shown.messages.map((m) => m.id), [1]);
      }
      await screenshot(bob.page, 'restart-phone-light');
      assertClean(alice, bob);
      await alice.close();
      await bob.close();
    } finally {
      await browser.close();
      await server.kill();
    }
  });
});

describe('chat rooms across a server restart, kept by SQLite', { skip, timeout: 120000 }, () => {
  test('the pages reconnect and carry on: no reset, nothing shown twice, ids go on, a newcomer gets the history', async () => {
    const server = await startChatServer(); // the default backend, a database of its own
    const browser = await launchChromium();
    try {
      const alice = await openUser(browser, server, { nick: 'Alice', room: 'kept' });
      const bob = await openUser(browser, server, { nick: 'Bob', room: 'kept', context: PHONE });
      await sayFirst(alice, 'before the restart');
      await bob.say('me too');
      const before = [['Alice', 'before the restart'], ['Bob', 'me too']];
      for (const user of [alice, bob]) await user.waitForMessages(before);

      assert.deepEqual(await server.stop(), { code: 0, signal: null });
      for (const user of [alice, bob]) {
        await user.page.waitForSelector('#status:is([data-state="connecting"], [data-state="reconnecting"])', { timeout: WAIT_MS });
      }
      await server.start(); // same ports, same database

      let epoch = null;
      for (const user of [alice, bob]) {
        await user.waitConnected();
        const { query } = socketParts(user.sockets.at(-1));
        assert.equal(query.since, '2');
        assert.match(query.epoch, EPOCH);
        epoch = epoch || query.epoch;
        assert.equal(query.epoch, epoch, 'both pages know the same room');
      }
      for (const user of [alice, bob]) await user.waitForUsers(['Alice', 'Bob']);

      await alice.say('after the restart');
      const all = [...before, ['Alice', 'after the restart']];
      for (const user of [alice, bob]) {
        const shown = await user.waitForMessages(all);
        assert.deepEqual(shown.messages.map((m) => m.id), [1, 2, 3]);
        assert.ok(!shown.notices.some((text) => /afresh|missed/.test(text)), `no reset or gap expected: ${shown.notices}`);
      }

      const chi = await openUser(browser, server, { nick: 'Chi', room: 'kept' });
      const shown = await chi.waitForMessages(all);
      assert.deepEqual(shown.messages.map((m) => m.id), [1, 2, 3]);
      assertClean(alice, bob, chi);
      for (const user of [alice, bob, chi]) await user.close();
    } finally {
      await browser.close();
      await server.kill();
    }
  });
});

describe('chat rooms: limits', { skip, timeout: 60000 }, () => {
  test('a message over max_text_bytes: a notice, and the text is back in the input', async () => {
    const server = await startChatServer({ chat: { max_text_bytes: 32 } });
    const browser = await launchChromium();
    try {
      const alice = await openUser(browser, server, { nick: 'Alice', room: 'long' });
      await alice.say('short enough');
      await alice.waitForMessages([['Alice', 'short enough']]);
      const long = 'Tiếng Việt có dấu, hơi dài một chút'; // 35 characters, 48 bytes of UTF-8
      await alice.say(long);
      await alice.page.waitForFunction(() => document.getElementById('toast').textContent !== '', null, { timeout: WAIT_MS });
      assert.equal(await alice.page.locator('#toast').textContent(), 'That message is too long; it was not sent.');
      assert.equal(await alice.input.inputValue(), long, 'the refused text is back in the input, to shorten');
      await alice.page.keyboard.press('Escape');
      await alice.page.waitForFunction(() => document.getElementById('toast').textContent === '', null, { timeout: WAIT_MS });
      assert.deepEqual((await alice.read()).messages.map((m) => m.text), ['short enough']);
      assertClean(alice);
      await alice.close();
    } finally {
      await browser.close();
      await server.kill();
    }
  });

  test('too many messages: a transient notice, and the refused message is not shown', async () => {
    const server = await startChatServer({ chat: { rate_burst: 2, rate_per_second: 0.05 } });
    const browser = await launchChromium();
    try {
      const alice = await openUser(browser, server, { nick: 'Alice', room: 'fast' });
      await alice.say('one');
      await alice.say('two');
      await alice.say('three');
      const toast = alice.page.locator('#toast');
      await alice.page.waitForFunction(() => document.getElementById('toast').textContent !== '', null, { timeout: WAIT_MS });
      assert.equal(await toast.textContent(), 'You are sending messages too fast; a message was not sent.');
      // A burst: every refused message is counted.
      for (const text of ['four', 'five', 'six']) await alice.say(text);
      await alice.page.waitForFunction(() => document.getElementById('toast').textContent.includes('4 messages'), null, { timeout: WAIT_MS });
      assert.equal(await toast.textContent(), 'You are sending messages too fast; 4 messages were not sent.');
      assert.equal(await toast.getAttribute('role'), 'status');
      await screenshot(alice.page, 'toast-desktop-light');
      await alice.waitForMessages([['Alice', 'one'], ['Alice', 'two']]);
      // It goes away by itself.
      await alice.page.waitForFunction(() => document.getElementById('toast').textContent === '', null, { timeout: WAIT_MS });
      assert.deepEqual((await alice.read()).messages.map((m) => m.text), ['one', 'two']);
      assert.equal(await alice.send.isEnabled(), true, 'still connected');
      assertClean(alice);
      await alice.close();
    } finally {
      await browser.close();
      await server.kill();
    }
  });
});
