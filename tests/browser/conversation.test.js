'use strict';
//
// The page's conversation features end to end: the real webchatd and its
// chat-room plugin answer typing, history pages and the room list, and keep
// a member through a reload within leave_grace_ms. (chatPage.test.js checks
// the page's side of each in detail, with the server's part played through
// routes; here nothing stands between the page and the server.)
//
// Skipped only when the chat-room plugin (<plugin dir>/chatroom.so) has not
// been built.
//

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const { playwright, chatroomMissing, withOwnServer } = require('./support');
const { assertClean, openUser, WAIT_MS } = require('./chatUser');

playwright();

const skip = chatroomMissing();



describe('the conversation with the real server', { skip, timeout: 180000 }, () => {
  test('typing reaches the others and ends with the message', () => withOwnServer({}, async ({ server, browser }) => {
    const alice = await openUser(browser, server, { nick: 'Alice', room: 'typing' });
    const bob = await openUser(browser, server, { nick: 'Bob', room: 'typing' });
    try {
      await alice.waitForUsers(['Alice', 'Bob']);
      const typing = (user) => user.page.evaluate(() => document.getElementById('typing').textContent);
      await alice.input.pressSequentially('hello', { delay: 20 });
      await bob.page.waitForFunction(() => document.getElementById('typing').textContent === 'Alice is typing…', null, { timeout: WAIT_MS });
      assert.equal(await typing(alice), '', 'nobody tells Alice she is typing');
      await alice.input.press('Enter');
      await bob.waitForMessages([['Alice', 'hello']]);
      await bob.page.waitForFunction(() => document.getElementById('typing').textContent === '', null, { timeout: WAIT_MS });
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  }));

  test('older messages come from the server, page by page, with no gap and no duplicate', () => withOwnServer({
    history_size: 10, rate_burst: 100, rate_per_second: 100,
  }, async ({ server, browser }) => {
    const alice = await openUser(browser, server, { nick: 'Alice', room: 'older' });
    const texts = Array.from({ length: 60 }, (_, i) => `message ${i + 1}`);
    try {
      for (const text of texts) await alice.say(text);
      await alice.waitFor('60 messages', (shown) => shown.messages.length === 60);
      const bob = await openUser(browser, server, { nick: 'Bob', room: 'older', context: { viewport: { width: 800, height: 500 } } });
      try {
        await bob.waitFor('the room\'s memory: the last ten', (shown) => shown.messages.length === 10);
        const older = bob.page.getByRole('button', { name: 'Older messages ↑' });
        // The rest of the room's memory and SQLite's older rows, 50 a page.
        await older.click();
        await bob.waitFor('a page of 50 more', (shown) => shown.messages.length === 60);
        await alice.say('live 61');
        await bob.waitFor('the live message', (shown) => shown.messages.at(-1).text === 'live 61');
        const shown = await bob.read();
        assert.deepEqual(shown.messages.map((m) => m.id), Array.from({ length: 61 }, (_, i) => i + 1));
        assert.deepEqual(shown.messages.map((m) => m.text), [...texts, 'live 61']);
        // Nothing older: the button goes once the server says so.
        await older.waitFor({ state: 'hidden', timeout: WAIT_MS });
        assertClean(alice, bob);
      } finally {
        await bob.close();
      }
    } finally {
      await alice.close();
    }
  }));

  test('the room list from the chat listener, and switching to a room of it', () => withOwnServer({}, async ({ server, browser }) => {
    const alice = await openUser(browser, server, { nick: 'Alice', room: 'alpha' });
    await alice.say('in alpha');
    const bob = await openUser(browser, server, { nick: 'Bob' }); // "/": the lobby
    try {
      const list = bob.page.getByRole('navigation', { name: 'Rooms' });
      // Alice's room, with its one member (the list is asked for as the
      // page starts, Bob's own join aside).
      await list.getByRole('link', { name: /^alpha/ }).waitFor({ timeout: WAIT_MS });
      assert.equal(await list.getByRole('link', { name: /^alpha/ }).textContent(), 'alpha 1 here');
      await list.getByRole('link', { name: /^alpha/ }).click();
      await bob.waitForMessages([['Alice', 'in alpha']]);
      await bob.waitForUsers(['Alice', 'Bob']);
      assert.equal(bob.page.url(), `${server.pageUrl}?room=alpha`);
      assertClean(alice, bob);
    } finally {
      await alice.close();
      await bob.close();
    }
  }));

  test('a reload within leave_grace_ms is no leave and no join for the others', () => withOwnServer({
    leave_grace_ms: 3000,
  }, async ({ server, browser }) => {
    const alice = await openUser(browser, server, { nick: 'Alice', room: 'grace' });
    const bob = await openUser(browser, server, { nick: 'Bob', room: 'grace' });
    try {
      await alice.waitForNotice('Bob joined');
      await bob.page.reload();
      await bob.waitConnected();
      await bob.waitForUsers(['Alice', 'Bob']);
      await bob.say('back');
      await alice.waitForMessages([['Bob', 'back']]);
      // Past the grace: still no leave, and one join only.
      await alice.page.waitForTimeout(3500);
      const notices = (await alice.read()).notices;
      assert.deepEqual(notices.filter((n) => n.startsWith('Bob ')), ['Bob joined'], JSON.stringify(notices));
      // Gone for good: the leave comes when the grace ends.
      await bob.close();
      await alice.waitForNotice('Bob left');
      assertClean(alice);
    } finally {
      await alice.close();
      await bob.close();
    }
  }));
});
