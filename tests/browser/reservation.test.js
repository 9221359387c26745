'use strict';
//
// A nickname stays with the browser that used it (docs/PROTOCOL.md, Nick
// tokens), with the real webchatd keeping nicks (nick_reservation_days):
// the page keeps the welcome's token per nick in localStorage and sends it
// back, so a reload gets the nick again and still marks its own messages
// "(you)" (by the speaker's from, not the nick); another browser profile
// typing that nick is told it is reserved and picks another.
//

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { playwright, launchChromium, startChatServer, chatroomMissing } = require('./support');
const { openUser, WAIT_MS, NICK_KEY } = require('./chatUser');

playwright();

const skip = chatroomMissing();
const TOKENS_KEY = 'webchat.tokens'; // what htdocs/identity.js keeps the tokens under

describe('nick tokens in the browser', { skip, timeout: 120000 }, () => {
  let server = null;
  let browser = null;

  before(async () => {
    server = await startChatServer({ chat: { nick_reservation_days: 30 } });
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.kill();
  });

  test('a reload keeps the nick and "(you)"; another profile gets nick_reserved', async () => {
    const room = 'kept';
    const alice = await openUser(browser, server, { nick: 'Alice', remembered: false, room });
    let mallory = null;
    try {
      await alice.say('mine');
      await alice.waitFor('own message', (shown) => shown.messages.some((m) => m.own && m.id && m.text === 'mine'));
      const tokens = JSON.parse(await alice.page.evaluate((key) => localStorage.getItem(key), TOKENS_KEY));
      assert.deepEqual(Object.keys(tokens), ['alice']);
      assert.match(tokens.alice, /^[A-Za-z0-9_-]{43}$/);

      await alice.page.reload();
      await alice.waitConnected();
      assert.equal(await alice.dialog.count(), 0, 'the nick dialog showed again');
      const url = new URL(alice.sockets.at(-1));
      assert.equal(url.searchParams.get('nick'), 'Alice');
      assert.equal(url.searchParams.get('token'), tokens.alice);
      const shown = await alice.waitForMessages([['Alice', 'mine']]);
      assert.equal(shown.messages[0].own, true, 'the message from before the reload is still "(you)"');

      // Another browser profile, with nothing stored, types the same nick
      // once Alice is gone.
      await alice.close();
      mallory = await openUser(browser, server, { nick: 'alice', remembered: false, room, connected: false });
      const dialog = mallory.page.getByRole('dialog', { name: 'Choose a nickname' });
      await mallory.page.getByRole('alert').filter({ hasText: 'belongs to someone' }).waitFor({ timeout: WAIT_MS });
      assert.equal(await mallory.page.getByRole('alert').textContent(),
        '“alice” belongs to someone who used it recently, in another browser. Please choose another nickname.');
      assert.ok(await dialog.isVisible());
      assert.equal(await mallory.page.evaluate((key) => localStorage.getItem(key), NICK_KEY), null, 'a refused nick is not remembered');

      await mallory.chooseNick('Mallory');
      await mallory.waitConnected();
      const seen = await mallory.waitForMessages([['Alice', 'mine']]);
      assert.equal(seen.messages[0].own, false, 'Alice\'s message is not Mallory\'s');
      assert.deepEqual(Object.keys(JSON.parse(await mallory.page.evaluate((key) => localStorage.getItem(key), TOKENS_KEY))), ['mallory']);
      assert.deepEqual(alice.problems, []);
      assert.deepEqual(mallory.problems, []);
    } finally {
      if (!alice.page.isClosed()) await alice.close();
      if (mallory) await mallory.close();
    }
  });

  test('without storage the page still keeps its nick when it reconnects', async () => {
    // localStorage refuses every write (full, or disabled by the user): the
    // token lives in the page only, and the reconnect after a restart
    // (reservations are in the SQLite file) still sends it.
    const brokenStorage = (page) => page.addInitScript(() => {
      Storage.prototype.setItem = () => { throw new DOMException('full', 'QuotaExceededError'); };
    });
    const dana = await openUser(browser, server, { nick: 'Dana', room: 'unstored', beforeGoto: brokenStorage });
    try {
      assert.equal(await dana.page.evaluate((key) => localStorage.getItem(key), TOKENS_KEY), null);
      const token = new URL(dana.sockets.at(-1)).searchParams.get('token');
      assert.equal(token, null, 'nothing stored, so the first join has no token');

      assert.deepEqual(await server.stop(), { code: 0, signal: null });
      await dana.page.waitForSelector('#status:is([data-state="connecting"], [data-state="reconnecting"])', { timeout: WAIT_MS });
      await server.start();
      await dana.waitConnected();
      const url = new URL(dana.sockets.at(-1));
      assert.equal(url.searchParams.get('nick'), 'Dana');
      assert.match(url.searchParams.get('token'), /^[A-Za-z0-9_-]{43}$/);
      assert.equal(await dana.dialog.count(), 0, 'the nick dialog showed: the nick was refused');
      await dana.waitForUsers(['Dana']);
      assert.deepEqual(dana.problems, []);
    } finally {
      await dana.close();
    }
  });
});
