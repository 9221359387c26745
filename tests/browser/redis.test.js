'use strict';
//
// The chat page on two real webchatd sharing their rooms through a real
// redis-server (backend = redis): two people, each on a server of their own,
// are in one room (one member list, one numbering), and when Redis is killed
// the sender is told the message waits; once Redis is back it reaches both,
// once, in order.
//
// Skipped only when the chat-room plugin has not been built.
//

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const { playwright, launchChromium, startChatServer, startRedis, chatroomMissing } = require('./support');
const { openUser, WAIT_MS } = require('./chatUser');

playwright();

const skip = chatroomMissing();

async function waitForOutput(server, text) {
  const deadline = Date.now() + WAIT_MS;
  while (!server.output().includes(text)) {
    if (Date.now() > deadline) assert.fail(`no "${text}" in the server's output:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('chat rooms shared by two servers through Redis', { skip, timeout: 120000 }, () => {
  test('one room across servers; while Redis is down messages wait, then arrive once, in order', async () => {
    const redis = await startRedis();
    const shared = { backend: 'redis', redis_address: redis.address, redis_timeout_ms: 1000 };
    const one = await startChatServer({ chat: shared });
    const two = await startChatServer({ chat: shared });
    const browser = await launchChromium();
    try {
      const alice = await openUser(browser, one, { nick: 'Alice', room: 'shared' });
      const bob = await openUser(browser, two, { nick: 'Bob', room: 'shared' });
      for (const user of [alice, bob]) await user.waitForUsers(['Alice', 'Bob']);

      await alice.say('hello from one');
      await bob.waitForMessages([['Alice', 'hello from one']]);
      await bob.say('hello from two');
      const before = [['Alice', 'hello from one'], ['Bob', 'hello from two']];
      for (const user of [alice, bob]) {
        const shown = await user.waitForMessages(before);
        assert.deepEqual(shown.messages.map((m) => m.id), [1, 2]);
      }

      await redis.kill();
      await waitForOutput(one, 'queuing their messages');
      await alice.say('while Redis was down');
      await alice.page.waitForFunction(() => document.getElementById('toast').textContent !== '', null, { timeout: WAIT_MS });
      assert.equal(await alice.page.locator('#toast').textContent(),
        'The chat server lost its connection to the other servers; your message will be sent when it is back.');
      assert.equal(await alice.send.isEnabled(), true, 'still connected');

      await redis.start();
      const all = [...before, ['Alice', 'while Redis was down']];
      for (const user of [alice, bob]) {
        const shown = await user.waitForMessages(all);
        assert.deepEqual(shown.messages.map((m) => m.id), [1, 2, 3]);
        assert.ok(!shown.notices.some((text) => /afresh|missed/.test(text)), `no reset or gap expected: ${shown.notices}`);
      }
      // The room goes on; nothing came twice.
      await bob.say('and on');
      for (const user of [alice, bob]) {
        const shown = await user.waitForMessages([...all, ['Bob', 'and on']]);
        assert.deepEqual(shown.messages.map((m) => m.id), [1, 2, 3, 4]);
      }
      for (const user of [alice, bob]) assert.deepEqual(user.problems, [], `${user.nick}: problems on the page`);
      for (const user of [alice, bob]) await user.close();
    } finally {
      await browser.close();
      await one.kill();
      await two.kill();
      await redis.remove();
    }
  });
});
