'use strict';
//
// The reverse-proxy setup of docs/REVERSE_PROXY.md, for real: Debian's nginx
// runs config/nginx-webchat.conf.example (host name, ports and certificate
// paths replaced) with a self-signed certificate made by openssl for this
// run, in front of the real webchatd (page plugin + chat-room plugin, both
// on loopback). Headless Chromium loads https://localhost:<port>/?room=lobby,
// two people chat through wss://localhost:<port>/chat/, and nothing on the
// page complains. Everything (certificate, nginx's config, pid, logs and
// temp folders, the chat database) lives in one temporary folder, removed
// at the end; nginx gets SIGQUIT and webchatd SIGTERM.
//
// Run by CTest (tests/proxy/CMakeLists.txt), which sets NGINX, OPENSSL and
// the variables of tests/browser/support.js. Reuses tests/browser's
// node_modules (playwright-core): `npm ci --prefix tests/browser` first.
//

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');

const { playwright, launchChromium, freePorts, startWebchatd, chatroomMissing } = require('../browser/support');
const { openUser, DESKTOP } = require('../browser/chatUser');

playwright(); // fail now, with instructions, if `npm ci` has not run

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'nginx-webchat.conf.example');
const NGINX = process.env.NGINX || '/usr/sbin/nginx';
const OPENSSL = process.env.OPENSSL || 'openssl';

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { socket.destroy(); resolve(false); });
  });
}

/** Replaces `from` (a string or regex) in `text`; fails if it is not there, so a changed example is noticed. */
function replaceOnce(text, from, to) {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  assert.ok(found, `config/nginx-webchat.conf.example no longer contains ${from}: update tests/proxy/proxy.test.js`);
  return typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
}

/** The example site, made to run here: loopback ports, host localhost, this run's certificate. */
function siteConfig({ dir, httpsPort, httpPort, pagePort, chatPort }) {
  let site = fs.readFileSync(EXAMPLE, 'utf8');
  site = replaceOnce(site, /^\s*listen \[::\]:443 ssl;\n/m, '');
  site = replaceOnce(site, /^\s*listen \[::\]:80;\n/m, '');
  site = replaceOnce(site, 'listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`);
  site = replaceOnce(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  site = replaceOnce(site, /ssl_certificate\s+\S+;/, `ssl_certificate ${path.join(dir, 'cert.pem')};`);
  site = replaceOnce(site, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${path.join(dir, 'key.pem')};`);
  site = replaceOnce(site, 'chat.example.org', 'localhost');
  site = replaceOnce(site, 'proxy_pass http://127.0.0.1:8080;', `proxy_pass http://127.0.0.1:${pagePort};`);
  site = replaceOnce(site, 'proxy_pass http://127.0.0.1:8000/;', `proxy_pass http://127.0.0.1:${chatPort}/;`);
  return site;
}

/** nginx's main config: everything it writes in `dir`, the example site inside http { }. */
function mainConfig(dir) {
  const file = (name) => path.join(dir, name);
  return [
    // As root the workers would switch to "nobody", who cannot use the
    // temporary folder (mode 0700); without root the directive is ignored.
    process.getuid && process.getuid() === 0 ? 'user root;' : '',
    'daemon off;',
    'worker_processes 1;',
    `pid ${file('nginx.pid')};`,
    `error_log ${file('error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${file('access.log')};`,
    `  client_body_temp_path ${file('client_body')};`,
    `  proxy_temp_path ${file('proxy')};`,
    `  fastcgi_temp_path ${file('fastcgi')};`,
    `  uwsgi_temp_path ${file('uwsgi')};`,
    `  scgi_temp_path ${file('scgi')};`,
    `  include ${file('site.conf')};`,
    '}',
    '',
  ].join('\n');
}

/** A self-signed certificate for localhost and 127.0.0.1, valid for a day. */
function makeCertificate(dir) {
  execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'pipe' });
}

/** nginx in the foreground as our child; resolves once both its ports accept connections. */
async function startNginx(dir, ports) {
  const args = ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')];
  try {
    execFileSync(NGINX, [...args, '-t'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`nginx -t refused the configuration:\n${error.stderr}\n${fs.readFileSync(path.join(dir, 'site.conf'), 'utf8')}`);
  }
  const child = spawn(NGINX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  let exit = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => { exit = { code, signal }; resolve(exit); }));
  const killOnExit = () => { if (!exit) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  const log = () => `${output}${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`;

  const nginx = {
    log,
    /** SIGQUIT (graceful shutdown); the exit status. */
    async stop() {
      if (!exit) child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const result = await exited;
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      return result;
    },
  };
  const deadline = Date.now() + 10000;
  for (const port of ports) {
    while (!(await canConnect(port))) {
      if (exit) throw new Error(`nginx exited (${JSON.stringify(exit)}) at start:\n${log()}`);
      if (Date.now() > deadline) { await nginx.stop(); throw new Error(`nginx not listening on ${port}:\n${log()}`); }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return nginx;
}

/** GET over https, checking the certificate against ours (a non-browser client). */
function httpsGet(url, ca) {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    }).on('error', reject);
  });
}

function httpGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers }));
    }).on('error', reject);
  });
}

describe('webchat behind nginx (TLS, WebSocket proxied at /chat/)', { timeout: 120000 }, () => {
  let dir = null;
  let webchatd = null;
  let nginx = null;
  let browser = null;
  let httpsPort = 0;
  let httpPort = 0;
  const users = [];

  before(async () => {
    const missing = chatroomMissing();
    if (missing) throw new Error(`the reverse-proxy test ${missing}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webchat-proxy-'));
    const [pagePort, chatPort] = await freePorts(2);
    [httpsPort, httpPort] = await freePorts(2);
    makeCertificate(dir);
    fs.writeFileSync(path.join(dir, 'site.conf'), siteConfig({ dir, httpsPort, httpPort, pagePort, chatPort }));
    fs.writeFileSync(path.join(dir, 'nginx.conf'), mainConfig(dir));

    // The webchatd settings docs/REVERSE_PROXY.md asks for (startWebchatd binds to 127.0.0.1).
    webchatd = await startWebchatd({
      page: { port: pagePort, plugin: 'page', class: 'PagePlugin', root: require('../browser/support').paths.htdocs,
        chat_url: `wss://localhost:${httpsPort}/chat/` },
      chat: { port: chatPort, plugin: 'chatroom', class: 'ChatroomPlugin', allowed_origins: `https://localhost:${httpsPort}`,
        database: path.join(dir, 'chat.db') },
    });
    nginx = await startNginx(dir, [httpsPort, httpPort]);
    browser = await launchChromium();
  });

  after(async () => {
    for (const user of users) await user.close().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    let nginxExit = null;
    let webchatdExit = null;
    if (nginx) nginxExit = await nginx.stop();
    if (webchatd) webchatdExit = await webchatd.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (nginxExit) assert.deepEqual(nginxExit, { code: 0, signal: null }, 'nginx exit after SIGQUIT');
    if (webchatdExit) assert.deepEqual(webchatdExit, { code: 0, signal: null }, 'webchatd exit after SIGTERM');
  });

  test('/webchat-config.json over https names the wss endpoint, and the CSP allows it and the room list', async () => {
    const ca = fs.readFileSync(path.join(dir, 'cert.pem'));
    const response = await httpsGet(`https://localhost:${httpsPort}/webchat-config.json`, ca);
    assert.equal(response.status, 200);
    const chatUrl = `wss://localhost:${httpsPort}/chat/`;
    assert.deepEqual(JSON.parse(response.body), { chatUrl, maxTextBytes: 4096 });
    const csp = response.headers['content-security-policy'] || '';
    const connect = csp.split(';').map((part) => part.trim()).find((part) => part.startsWith('connect-src '));
    assert.ok(connect, `no connect-src in the CSP: ${csp}`);
    // The page's own origin ('self', for webchat-config.json), the chat
    // endpoint and the room list beside it, nothing else.
    const roomsUrl = `https://localhost:${httpsPort}/chat/rooms`;
    const sources = connect.split(/\s+/).slice(1);
    assert.ok(sources.includes(chatUrl), `CSP connect-src lacks ${chatUrl}: ${csp}`);
    assert.ok(sources.includes(roomsUrl), `CSP connect-src lacks ${roomsUrl}: ${csp}`);
    assert.deepEqual(sources.filter((source) => source !== chatUrl && source !== roomsUrl && source !== "'self'"), [], `CSP: ${csp}`);
  });

  test('plain http is redirected to https', async () => {
    const response = await httpGet(`http://127.0.0.1:${httpPort}/?room=lobby`, { Host: `localhost:${httpPort}` });
    assert.equal(response.status, 301);
    assert.equal(response.headers.location, 'https://localhost/?room=lobby');
  });

  test('two people chat through nginx over wss', async () => {
    const server = { pageUrl: `https://localhost:${httpsPort}/`, chatUrl: `wss://localhost:${httpsPort}/chat/` };
    const context = { ...DESKTOP, ignoreHTTPSErrors: true };
    const alice = await openUser(browser, server, { nick: 'alice', room: 'lobby', context });
    users.push(alice);
    const bob = await openUser(browser, server, { nick: 'bob', room: 'lobby', context });
    users.push(bob);
    await alice.waitForUsers(['alice', 'bob']);

    const text = 'hello through nginx — xin chào';
    await alice.say(text);
    await alice.waitForMessages([['alice', text]]);
    await bob.waitForMessages([['alice', text]]);
    await bob.say('hi alice');
    await alice.waitForMessages([['alice', text], ['bob', 'hi alice']]);
    // The room list through the same location (GET /chat/rooms -> /rooms).
    const rooms = await httpsGet(`https://localhost:${httpsPort}/chat/rooms`, fs.readFileSync(path.join(dir, 'cert.pem')));
    assert.equal(rooms.status, 200, rooms.body);
    assert.deepEqual(JSON.parse(rooms.body), [{ room: 'lobby', users: 2 }]);

    for (const user of [alice, bob]) {
      assert.ok(user.sockets.length >= 1, `${user.nick}: no WebSocket opened`);
      assert.equal(user.sockets[0], `wss://localhost:${httpsPort}/chat/lobby?nick=${user.nick}`);
      assert.deepEqual(user.problems, [], `${user.nick}: problems on the page`);
      assert.deepEqual(user.expectedSeen, [], `${user.nick}: WebSocket failures`);
    }

    // nginx proxied the upgrade (101): it logs a WebSocket request when the connection ends.
    for (const user of [alice, bob]) await user.close();
    users.length = 0;
    const accessLog = path.join(dir, 'access.log');
    const upgraded = /"GET \/chat\/lobby\?nick=alice HTTP\/1\.1" 101 /;
    const deadline = Date.now() + 10000;
    let access = '';
    for (;;) {
      access = fs.readFileSync(accessLog, 'utf8');
      if (upgraded.test(access) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(access, upgraded, `nginx access log:\n${access}`);
  });
});
