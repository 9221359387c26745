'use strict';
//
// The chat page over https and the chat room over wss, both served by
// webchatd itself (TLS listeners, docs/TLS.md), no proxy in front. The
// certificate is self-signed, made by the openssl command at test time; the
// browser contexts are told to accept it (ignoreHTTPSErrors). Skipped only
// while chatroom.so has not been built.
//

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');

const { paths, playwright, launchChromium, freePorts, startWebchatd, chatroomMissing } = require('./support');
const { openUser, DESKTOP } = require('./chatUser');

playwright(); // fail now, with instructions, if `npm ci` has not run

const skip = chatroomMissing();

/** A self-signed certificate for 127.0.0.1 and localhost in `dir`: { certificate, key } paths. */
function makeCertificate(dir) {
  const certificate = path.join(dir, 'chat.pem');
  const key = path.join(dir, 'chat.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', certificate, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'pipe' });
  return { certificate, key };
}

test('two users chat with the page over https and the room over wss', { skip, timeout: 120000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webchat-tls-'));
  const { certificate, key } = makeCertificate(dir);
  const [pagePort, chatPort] = await freePorts(2);
  const tls = { tls_certificate: certificate, tls_private_key: key };
  const site = { pageUrl: `https://127.0.0.1:${pagePort}/`, chatUrl: `wss://127.0.0.1:${chatPort}/` };
  const server = await startWebchatd({
    // chat_port, not a fixed chat_url: a page served over TLS is told wss://.
    page: { port: pagePort, plugin: 'page', class: 'PagePlugin', root: paths.htdocs, chat_port: chatPort, ...tls },
    chat: {
      port: chatPort, plugin: 'chatroom', class: 'ChatroomPlugin', backend: 'memory',
      allowed_origins: `https://127.0.0.1:${pagePort}`, ...tls,
    },
  });
  const browser = await launchChromium();
  const users = [];
  try {
    const context = { ...DESKTOP, ignoreHTTPSErrors: true };
    users.push(await openUser(browser, site, { nick: 'Alice', room: 'secure', context }));
    users.push(await openUser(browser, site, { nick: 'Bob', room: 'secure', context }));
    const [alice, bob] = users;
    assert.equal(alice.page.url(), `${site.pageUrl}?room=secure`);
    assert.equal(alice.sockets[0], `${site.chatUrl}secure?nick=Alice`);
    for (const user of users) await user.waitForUsers(['Alice', 'Bob']);

    await alice.say('Xin chào qua TLS');
    for (const user of users) await user.waitForMessages([['Alice', 'Xin chào qua TLS']]);
    await bob.say('and back over wss');
    const expected = [['Alice', 'Xin chào qua TLS'], ['Bob', 'and back over wss']];
    for (const user of users) await user.waitForMessages(expected);
    for (const user of users) assert.deepEqual(user.problems, [], `${user.nick}: problems on the page`);

    assert.match(server.output(), /listener chat: chatroom\/ChatroomPlugin on 127\.0\.0\.1:\d+ \(TLS\)/);
    assert.match(server.output(), /listener page: page\/PagePlugin on 127\.0\.0\.1:\d+ \(TLS\)/);
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  } finally {
    for (const user of users) await user.close();
    await browser.close();
    await server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
