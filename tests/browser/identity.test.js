'use strict';
//
// Signed identities and moderation end to end: the real webchatd with
// auth = jwt (an HS256 key made here), a moderator whose page was handed
// its JWT in the address's fragment (#token=..., as an embedding site links
// to the chat), and a guest. Nothing between the page and the server:
// the moderator's menu deletes a message and the guest sees the tombstone;
// it bans the guest, who is told so and cannot come back.
//
// Skipped only when the chat-room plugin (<plugin dir>/chatroom.so) has not
// been built.
//

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');

const { playwright, launchChromium, startChatServer, chatroomMissing, screenshot } = require('./support');
const { openUser, WAIT_MS } = require('./chatUser');

playwright();

const skip = chatroomMissing();

/** A compact HS256 JWT of claims, signed with secret. */
function signJwt(claims, secret) {
  const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${crypto.createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('signed identities and moderation in the browser', { skip, timeout: 120000 }, () => {
  let server = null;
  let browser = null;
  const secret = crypto.randomBytes(32).toString('hex');
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webchat-jwt-'));

  before(async () => {
    fs.writeFileSync(path.join(keyDir, 'jwt.key'), secret);
    server = await startChatServer({ chat: { auth: 'jwt', jwt_key_file: path.join(keyDir, 'jwt.key'), jwt_audience: 'webchat' } });
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.kill();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  test('a moderator deletes a message and bans a guest, who sees why and cannot rejoin', async () => {
    const room = 'signed';
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = signJwt({ sub: 'mod-1', name: 'Mod', roles: ['moderator'], aud: 'webchat', exp }, secret);
    const mod = await openUser(browser, server, { room, hash: `#token=${token}`, remembered: false, typeNick: false });
    let bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      // The identity's name, no dialog; verified; the token is gone from
      // the address bar and was sent as token= on the upgrade URL.
      await mod.waitForUsers(['Mod', 'Bob']);
      assert.equal(await mod.dialog.count(), 0);
      assert.equal(new URL(mod.page.url()).hash, '');
      assert.equal(new URL(mod.sockets.at(-1)).searchParams.get('token'), token);
      assert.equal(await bob.page.locator('#users .verified-mark').count(), 1, 'Bob sees Mod as verified');

      await bob.say('buy cheap pills');
      await mod.waitFor('Bob\'s message', (shown) => shown.messages.some((m) => m.text === 'buy cheap pills'));
      const spam = mod.page.locator('#messages .msg', { hasText: 'buy cheap pills' });
      await spam.getByRole('button', { name: 'Moderate the message of Bob' }).click();
      await spam.getByRole('button', { name: 'Delete this message' }).click();

      // Bob's page shows the tombstone, and the text is gone from it.
      await bob.page.locator('#messages .msg-removed').waitFor({ timeout: WAIT_MS });
      assert.equal(await bob.page.locator('#messages .msg-removed').textContent(), 'Message removed by a moderator (Mod)');
      assert.equal(await bob.page.locator('#messages', { hasText: 'buy cheap pills' }).count(), 0);
      // A guest's menu has no moderation.
      assert.equal(await bob.page.getByRole('button', { name: /^Moderate the message/ }).count(), 0);

      await bob.say('you cannot stop me');
      await mod.waitFor('Bob\'s second message', (shown) => shown.messages.some((m) => m.text === 'you cannot stop me'));
      const second = mod.page.locator('#messages .msg', { hasText: 'you cannot stop me' });
      await second.getByRole('button', { name: 'Moderate the message of Bob' }).click();
      await second.getByRole('button', { name: 'Ban Bob for a day' }).click();
      await bob.waitForNotice('You were removed from the room by Mod: banned');
      await bob.page.waitForSelector('#status[data-state="stopped"]', { timeout: WAIT_MS });
      await mod.waitForUsers(['Mod']);

      // A new page (as a reload would) is refused with the ban's time.
      await bob.close();
      bob = await openUser(browser, server, { nick: 'Bob', room, connected: false });
      // The time left, as the server counts it down (a day less the seconds
      // since the ban: "24 hours" or, within its first second, "1 day").
      await bob.waitFor('the ban\'s notice', (shown) => shown.notices.some((n) => /^You are banned from this room for (1 day|24 hours)\.$/.test(n)));
      await bob.page.waitForSelector('#status[data-state="stopped"]', { timeout: WAIT_MS });
      assert.equal(await bob.send.isDisabled(), true);
      await screenshot(bob.page, 'banned');
      assert.deepEqual(mod.problems, []);
      assert.deepEqual(bob.problems, []);
    } finally {
      await mod.close();
      await bob.close();
    }
  });

  test('a token the server refuses is said once and not offered again', async () => {
    const forged = signJwt({ sub: 'mod-1', name: 'Mod', roles: ['admin'], aud: 'webchat', exp: Math.floor(Date.now() / 1000) + 3600 }, 'not the key');
    const user = await openUser(browser, server, { room: 'signed', hash: `#token=${forged}`, remembered: false, typeNick: false, connected: false });
    try {
      await user.waitForNotice('Your sign-in was not accepted (expired or not valid). Sign in again and reload the page.');
      await user.page.waitForSelector('#status[data-state="stopped"]', { timeout: WAIT_MS });
      assert.equal(user.sockets.length, 1);
      assert.equal(await user.page.evaluate(() => sessionStorage.getItem('webchat.identity')), null);
      assert.deepEqual(user.problems, []);
    } finally {
      await user.close();
    }
  });
});
