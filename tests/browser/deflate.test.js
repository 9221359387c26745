'use strict';
//
// Chromium and permessage-deflate: the page's WebSocket offers it (every
// browser does), the relay accepts it (compression = on, the default), and
// two people chat through compressed frames, short and long messages alike.
// With compression = off the same page chats without it. What was agreed is
// read from the 101 through the DevTools protocol.
//

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { paths, playwright, launchChromium, freePorts, startWebchatd, watchPage, webSocketFailureTo } = require('./support');

playwright(); // fail now, with instructions, if `npm ci` has not run

const skip = fs.existsSync(path.join(paths.pluginDir, 'relay.so')) ? false : 'needs the relay plugin';
const WAIT_MS = 10000;

/** A user's page, its nick remembered, with the chat socket's 101 headers recorded. */
async function openUser(browser, pageUrl, chatUrl, nick) {
  const storageState = { cookies: [], origins: [{ origin: new URL(pageUrl).origin, localStorage: [{ name: 'webchat.nick', value: nick }] }] };
  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  const handshakes = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketWillSendHandshakeRequest', (event) => handshakes.push({ request: event.request.headers }));
  cdp.on('Network.webSocketHandshakeResponseReceived', (event) => {
    const last = handshakes[handshakes.length - 1] || {};
    last.status = event.response.status;
    last.response = event.response.headers;
  });
  const watch = watchPage(page, [webSocketFailureTo(chatUrl)]);
  assert.equal((await page.goto(pageUrl)).status(), 200);
  await page.waitForSelector('#status[data-state="connected"]', { timeout: WAIT_MS });
  return {
    context, page, handshakes, ...watch,
    input: page.getByRole('textbox', { name: 'Message', exact: true }),
  };
}

/** The value of a header whatever its case, or undefined. */
function header(headers, name) {
  const key = Object.keys(headers || {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

async function chat(users, messages) {
  for (const text of messages) {
    await users[0].input.fill(text);
    await users[0].input.press('Enter');
  }
  for (const user of users) {
    await user.page.waitForFunction((want) => {
      const got = Array.from(document.querySelectorAll('#messages .msg-text'), (el) => el.textContent);
      return got.length === want.length && got.every((text, i) => text === want[i]);
    }, messages, { timeout: WAIT_MS });
  }
}

async function run(compression) {
  const [pagePort, chatPort] = await freePorts(2);
  const pageUrl = `http://127.0.0.1:${pagePort}/`;
  const chatUrl = `ws://127.0.0.1:${chatPort}/`;
  const server = await startWebchatd({
    page: { port: pagePort, plugin: 'page', class: 'PagePlugin', root: paths.htdocs, chat_port: chatPort },
    chat: { port: chatPort, plugin: 'relay', class: 'RelayPlugin', compression },
  });
  const browser = await launchChromium();
  try {
    const users = [await openUser(browser, pageUrl, chatUrl, 'Alice'), await openUser(browser, pageUrl, chatUrl, 'Bob')];
    for (const user of users) {
      assert.equal(user.handshakes.length, 1, 'one WebSocket per page');
      const [handshake] = user.handshakes;
      assert.match(header(handshake.request, 'Sec-WebSocket-Extensions'), /permessage-deflate/, 'Chromium offers permessage-deflate');
      assert.equal(handshake.status, 101);
      const agreed = header(handshake.response, 'Sec-WebSocket-Extensions');
      if (compression === 'on') {
        assert.equal(agreed, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover');
      } else {
        assert.equal(agreed, undefined);
      }
    }
    // Short (sent as is) and long (compressed) messages, Vietnamese included.
    const long = 'Xin chào, thế giới! Tiếng Việt có dấu. '.repeat(40);
    await chat(users, ['hi', long, 'Tiếng Việt', `${long} (again)`]);
    for (const user of users) {
      assert.deepEqual(user.problems, []);
      assert.deepEqual(user.expectedSeen, [], 'a WebSocket failed');
    }
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  } finally {
    await browser.close();
    await server.kill();
  }
}

test('Chromium negotiates permessage-deflate and chats through the relay', { skip, timeout: 120000 }, () => run('on'));

test('with compression = off Chromium chats uncompressed', { skip, timeout: 120000 }, () => run('off'));
