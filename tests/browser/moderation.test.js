'use strict';
//
// The page's side of moderation and identities (docs/PROTOCOL.md), with the
// real webchatd and its chat-room plugin: each page's WebSocket goes
// through playwright's route, which passes the real room's traffic and adds
// what a moderating server says (roles and the topic in the welcome, `from`
// and `verified` on messages, `deleted`, `topic`, `kicked`, a `banned`
// refusal) and keeps what the page asks of a moderator's menu. So what is
// checked is the page: the requests its menus send, from the keyboard too;
// tombstones, the topic, the verified mark, "(you)" by `from`; and that a
// kick or a ban is said and ends the reconnecting.
//
// Skipped only when the chat-room plugin (<plugin dir>/chatroom.so) has not
// been built.
//

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { playwright, launchChromium, startChatServer, chatroomMissing, screenshot } = require('./support');
const { assertClean, chatRoute, openUser, WAIT_MS } = require('./chatUser');

playwright(); // fail now, with instructions, if `npm ci` has not run

const skip = chatroomMissing();


/**
 * Routes a page's chat WebSocket (chatRoute): the room's frames pass, those
 * for which rewrite(event) returns an object pass as that; what the page
 * sends that is not a message or a nick change is kept, not passed on.
 */
function moderatedRoute(chatPort, rewrite) {
  return chatRoute(chatPort, { rewrite, keep: (request) => request.type !== 'message' && request.type !== 'nick' });
}

/** Waits until the route has kept `count` requests. */
async function requestsReach(route, count) {
  const deadline = Date.now() + WAIT_MS;
  while (route.requests.length < count) {
    if (Date.now() > deadline) assert.fail(`requests: ${JSON.stringify(route.requests)}, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('moderation and identities on the page', { skip, timeout: 120000 }, () => {
  let server = null;
  let browser = null;

  before(async () => {
    server = await startChatServer();
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.kill();
  });

  test('a moderator\'s menus send the requests; tombstones, the topic, the verified mark and (you) by from', async () => {
    const room = 'moderated';
    const chatPort = new URL(server.chatUrl).port;
    const route = moderatedRoute(chatPort, (event) => {
      if (event.type === 'welcome') return { ...event, from: 'alice-id', roles: ['moderator'], topic: 'Be kind' };
      if (event.type === 'message' && event.nick === 'Alice') return { ...event, from: 'alice-id' };
      if (event.type === 'message' && event.nick === 'Bob') return { ...event, from: 'bob-id', verified: true };
      return null;
    });
    const alice = await openUser(browser, server, { nick: 'Alice', room, beforeGoto: route.install });
    const bob = await openUser(browser, server, { nick: 'Bob', room });
    try {
      const page = alice.page;
      assert.equal(await page.locator('#topic').isVisible(), true);
      assert.equal(await page.locator('#topic-text').textContent(), 'Be kind');

      await bob.say('spam');
      await alice.say('mine');
      await alice.waitFor('both messages', (shown) => shown.messages.length === 2);
      const bobsMessage = page.locator('#messages .msg', { hasText: 'spam' });
      const ownMessage = page.locator('#messages .msg', { hasText: 'mine' });
      const spamId = Number(await bobsMessage.getAttribute('data-id'));
      // Bob's is verified; hers is hers by from, with only "delete" on it.
      assert.equal(await bobsMessage.locator('.verified-mark').getAttribute('aria-label'), 'verified identity');
      assert.equal(await ownMessage.locator('.msg-you').textContent(), '(you)');
      await ownMessage.getByRole('button', { name: 'Moderate the message of Alice' }).click();
      assert.deepEqual(await ownMessage.locator('.msg-moderation-action').allTextContents(), ['Delete this message']);
      await page.keyboard.press('Escape');

      // From the keyboard: the menu button, Enter opens it on its first
      // action, Enter deletes; Escape closes it back on its button.
      const toggle = bobsMessage.getByRole('button', { name: 'Moderate the message of Bob' });
      await toggle.focus();
      await page.keyboard.press('Enter');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Delete this message');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Remove Bob from the room');
      await page.keyboard.press('Escape');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      assert.equal(await toggle.evaluate((el) => el === document.activeElement), true, 'focus back on the menu button');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await requestsReach(route, 1);
      for (const name of ['Remove Bob from the room', 'Mute Bob for 10 minutes', 'Ban Bob for a day']) {
        await toggle.click();
        await bobsMessage.getByRole('button', { name }).click();
      }
      await requestsReach(route, 4);
      assert.deepEqual(route.requests, [
        { type: 'delete', id: spamId },
        { type: 'kick', nick: 'Bob' },
        { type: 'mute', nick: 'Bob', seconds: 600 },
        { type: 'ban', nick: 'Bob', seconds: 86400 },
      ]);

      // The server's answers: a tombstone in place of the text, a new topic.
      route.inject({ type: 'deleted', id: spamId, by: 'Alice' });
      await page.locator('#messages .msg-removed').waitFor({ timeout: WAIT_MS });
      assert.equal(await page.locator(`#messages .msg[data-id="${spamId}"]`).textContent(), 'Message removed by a moderator (Alice)');
      assert.equal(await page.locator('#messages', { hasText: 'spam' }).count(), 0);
      route.inject({ type: 'topic', text: 'No spam', by: 'Alice', ts: Date.now() });
      await alice.waitForNotice('Alice set the topic: No spam');
      assert.equal(await page.locator('#topic-text').textContent(), 'No spam');

      // "(you)" goes by from: a newcomer called Alice is not her.
      const next = Math.max(...(await alice.read()).messages.map((m) => m.id)) + 1;
      route.inject({ type: 'message', id: next, nick: 'Alice', from: 'someone-else', text: 'not me', ts: Date.now() });
      route.inject({ type: 'message', id: next + 1, nick: 'Alicia', from: 'alice-id', text: 'me, renamed', ts: Date.now() });
      const shown = await alice.waitFor('the injected messages', (read) => read.messages.length === 4);
      assert.deepEqual(shown.messages.slice(2).map((m) => [m.text, m.own]), [['not me', false], ['me, renamed', true]]);
      await ownMessage.getByRole('button', { name: 'Moderate the message of Alice' }).click();
      await screenshot(page, 'moderator');
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('a kicked user is told by whom and why, and the page does not come back by itself', async () => {
    const chatPort = new URL(server.chatUrl).port;
    const route = moderatedRoute(chatPort, () => null);
    const bob = await openUser(browser, server, { nick: 'Bob', room: 'kick', beforeGoto: route.install });
    try {
      route.inject({ type: 'kicked', room: 'kick', by: 'Alice', reason: 'spam' });
      await route.socket.close({ code: 4403, reason: 'kicked' });
      await bob.waitForNotice('You were removed from the room by Alice: spam');
      await bob.page.waitForSelector('#status[data-state="stopped"]', { timeout: WAIT_MS });
      assert.equal(await bob.send.isDisabled(), true);
      // Longer than the first reconnection delay (under 500 ms): none came.
      await bob.page.waitForTimeout(1500);
      assert.equal(bob.sockets.length, 1, JSON.stringify(bob.sockets));
      assertClean(bob);
    } finally {
      await bob.close();
    }
  });

  test('a banned user sees for how long, in Vietnamese too, and is not sent back', async () => {
    const chatPort = new URL(server.chatUrl).port;
    for (const [locale, text] of [['en-US', 'You are banned from this room for 1 day.'], ['vi-VN', 'Bạn bị cấm vào phòng này trong 1 ngày.']]) {
      let joins = 0;
      const user = await openUser(browser, server, {
        nick: 'Bob',
        room: 'ban',
        connected: false,
        context: { viewport: { width: 1024, height: 768 }, locale },
        // The ban is the server's answer to the join: nothing reaches it.
        beforeGoto: (page) => page.routeWebSocket((url) => url.port === chatPort, (ws) => {
          joins += 1;
          ws.send(JSON.stringify({ type: 'error', code: 'banned', message: 'you are banned from this room', seconds: 86400 }));
          ws.close({ code: 4403, reason: 'banned' });
        }),
      });
      try {
        await user.waitForNotice(text);
        await user.page.waitForSelector('#status[data-state="stopped"]', { timeout: WAIT_MS });
        await user.page.waitForTimeout(1500);
        assert.equal(joins, 1);
        assertClean(user);
      } finally {
        await user.close();
      }
    }
  });
});
