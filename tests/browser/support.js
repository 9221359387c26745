'use strict';
//
// Helpers shared by the browser tests: where the build under test is, the
// real webchatd started on free loopback ports, headless Debian Chromium
// driven by playwright-core, and a record of what the page logged.
//
// CTest passes the paths (tests/browser/CMakeLists.txt). To run by hand:
//   WEBCHATD=build/bin/webchatd WEBCHAT_PLUGIN_DIR=build/lib/webchat/plugins \
//   WEBCHAT_HTDOCS=build/share/webchat/htdocs node --test tests/browser/*.test.js
// Optional: CHROMIUM (default /usr/bin/chromium); WEBCHAT_SCREENSHOT_DIR, a
// folder to save screenshots into for a look by eye.
//

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

function requiredEnv(name, what) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: it must name ${what}. ` +
      'The browser tests are meant to run through CTest (ctest -L browser), which sets it.');
  }
  if (!fs.existsSync(value)) throw new Error(`${name}=${value}: no such file or directory (${what}); is the project built?`);
  return path.resolve(value);
}

const paths = {
  get webchatd() { return requiredEnv('WEBCHATD', 'the webchatd binary'); },
  get pluginDir() { return requiredEnv('WEBCHAT_PLUGIN_DIR', 'the folder of the handler plugins (page.so, relay.so, chatroom.so)'); },
  get htdocs() { return requiredEnv('WEBCHAT_HTDOCS', 'the htdocs folder of the build tree'); },
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  screenshotDir: process.env.WEBCHAT_SCREENSHOT_DIR || '',
};

/** playwright-core, or an error that says how to install it (never a silent skip). */
function playwright() {
  try {
    return require('playwright-core');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('playwright-core is not installed in tests/browser/node_modules. ' +
      'Run `npm ci --prefix tests/browser` (scripts/test.sh does) and try again.');
  }
}

/** Debian's Chromium, headless. Never a browser playwright downloads. */
async function launchChromium() {
  if (!fs.existsSync(paths.chromium)) {
    throw new Error(`no Chromium at ${paths.chromium}: install Debian's chromium package (apt-get install chromium)`);
  }
  return playwright().chromium.launch({
    executablePath: paths.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * `count` distinct TCP ports on 127.0.0.1 that were free a moment ago. All
 * are held until all are chosen: ports taken one after the other can come
 * back the same (the kernel hands a just-closed port out again).
 */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; ++i) {
      servers.push(await new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }));
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
async function freePort() {
  return (await freePorts(1))[0];
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { socket.destroy(); resolve(false); });
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The .ini text: [server] plus one section per listener, logging to the console. */
function iniText(listeners) {
  const lines = ['[server]', `plugin_path = ${paths.pluginDir}`, ''];
  for (const [name, keys] of Object.entries(listeners)) {
    lines.push(`[listeners.${name}]`);
    for (const [key, value] of Object.entries(keys)) lines.push(`${key} = ${value}`);
    lines.push('');
  }
  lines.push(
    '[logging.formatters.plain]', 'class = PatternFormatter', 'pattern = %Y-%m-%d %H:%M:%S.%i [%p] %s: %t', '',
    '[logging.channels.console]', 'class = ConsoleChannel', 'formatter = plain', '',
    '[logging.loggers.root]', 'channel = console', 'level = information', '');
  return lines.join('\n');
}

/**
 * Starts the real webchatd with a temporary .ini holding `listeners`
 * ({ page: { port, plugin, class, ... }, ... }; address defaults to
 * 127.0.0.1) and resolves once every listener accepts connections.
 *
 * Every browser context of a test connects from 127.0.0.1, as if all the
 * users sat behind one NAT: each keeps up to six idle keep-alive
 * connections to the page after loading its modules, beyond the
 * per-address limit (max_pending_per_ip, default 16) with three users; a
 * new connection then takes the place of the oldest idle one.
 */
async function startWebchatd(listeners, { timeoutMs = 15000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webchat-browser-'));
  const withAddress = {};
  for (const [name, keys] of Object.entries(listeners)) withAddress[name] = { address: '127.0.0.1', ...keys };
  const configPath = path.join(dir, 'webchat.ini');
  fs.writeFileSync(configPath, iniText(withAddress));

  const child = spawn(paths.webchatd, [`--config=${configPath}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  let exit = null;
  exited.then((result) => { exit = result; });

  // Never leave a server behind, whatever happens to the test.
  const killOnExit = () => { if (!exit) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);

  const server = {
    config: fs.readFileSync(configPath, 'utf8'),
    output: () => output,
    /** SIGTERM, then the exit status ({ code, signal }); SIGKILL if it hangs. */
    async stop(timeoutMs = 10000) {
      if (!exit) child.kill('SIGTERM');
      let timer = null;
      const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
      const result = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (!result) {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`webchatd did not exit within ${timeoutMs} ms of SIGTERM; output:\n${output}`);
      }
      process.removeListener('exit', killOnExit);
      fs.rmSync(dir, { recursive: true, force: true });
      return result;
    },
    /** For cleanup after a failure: no questions asked. */
    async kill() {
      if (!exit) child.kill('SIGKILL');
      await exited;
      process.removeListener('exit', killOnExit);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + timeoutMs;
  for (const [name, keys] of Object.entries(withAddress)) {
    for (;;) {
      if (exit) {
        await server.kill();
        throw new Error(`webchatd exited (${JSON.stringify(exit)}) before listener ${name} was up; config:\n` +
          `${server.config}\noutput:\n${output}`);
      }
      if (await canConnect(keys.port)) break;
      if (Date.now() > deadline) {
        await server.kill();
        throw new Error(`listener ${name} (port ${keys.port}) not up after ${timeoutMs} ms; output:\n${output}`);
      }
      await delay(25);
    }
  }
  return server;
}

/**
 * A real redis-server (REDIS_SERVER, else redis-server on the PATH) on a free
 * loopback port with its data in a folder of its own, every write fsynced
 * (appendfsync always), so kill() and start() again keep what it accepted.
 */
async function startRedis({ timeoutMs = 10000 } = {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webchat-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always',
    '--save', '', '--daemonize', 'no'];
  let child = null;
  let exited = null;
  const killNow = () => { if (child && !exited) child.kill('SIGKILL'); };
  process.once('exit', killNow);
  const redis = {
    address: `127.0.0.1:${port}`,
    async start() {
      child = spawn(process.env.REDIS_SERVER || 'redis-server', args, { stdio: 'ignore' });
      exited = null;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.once('exit', () => { exited = done; });
      redis.exited = done;
      const deadline = Date.now() + timeoutMs;
      while (!(await canConnect(port))) {
        if (exited || Date.now() > deadline) throw new Error(`redis-server did not listen on port ${port}`);
        await delay(25);
      }
    },
    /** SIGKILL: Redis gets no shutdown of its own. */
    async kill() {
      if (child && !exited) {
        child.kill('SIGKILL');
        await redis.exited;
      }
    },
    async remove() {
      await redis.kill();
      process.removeListener('exit', killNow);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

/** Why the tests that need the chat-room plugin cannot run (its library is not built), or false. */
function chatroomMissing() {
  const library = path.join(paths.pluginDir, 'chatroom.so');
  return fs.existsSync(library) ? false : `needs the chat-room plugin: ${library} is not built`;
}

/**
 * webchatd with the page plugin and a chat listener (the chat-room plugin
 * unless `plugin` says otherwise; `chat` and `page` add keys to their sections), on free
 * loopback ports. The chat room's history goes to a SQLite database of this
 * server's own (unless `chat` names a backend or database), kept until
 * kill(). stop() sends SIGTERM; start() starts it again on the same ports
 * and database (with backend: 'memory', rooms start empty). Nicks are not
 * reserved, and leaves have no grace, unless `chat` sets
 * nick_reservation_days or leave_grace_ms.
 */
async function startChatServer({ chat = {}, page = {}, plugin = { plugin: 'chatroom', class: 'ChatroomPlugin' } } = {}) {
  const [pagePort, chatPort] = await freePorts(2);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webchat-data-'));
  const removeData = () => fs.rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeData);
  const history = plugin.plugin === 'chatroom' && !('database' in chat) ? { database: path.join(dataDir, 'chat.db') } : {};
  // Tests come back under the same nick in fresh browser contexts: nicks
  // are kept only where a test asks for it (nick_reservation_days in chat),
  // and a member who leaves is gone at once unless a test asks for a grace
  // (leave_grace_ms).
  const reservations = plugin.plugin === 'chatroom' ? { nick_reservation_days: 0, leave_grace_ms: 0 } : {};
  const listeners = {
    page: { port: pagePort, plugin: 'page', class: 'PagePlugin', root: paths.htdocs, chat_port: chatPort, ...page },
    chat: { port: chatPort, ...plugin, ...history, ...reservations, ...chat },
  };
  let server = await startWebchatd(listeners);
  return {
    pageUrl: `http://127.0.0.1:${pagePort}/`,
    chatUrl: `ws://127.0.0.1:${chatPort}/`,
    output: () => (server ? server.output() : ''),
    async stop() {
      const result = await server.stop();
      server = null;
      return result;
    },
    async start() {
      if (server) throw new Error('webchatd is already running');
      server = await startWebchatd(listeners);
    },
    async kill() {
      if (server) await server.kill();
      server = null;
      removeData();
      process.removeListener('exit', removeData);
    },
  };
}

/**
 * Records the page's console errors, uncaught exceptions, failed requests and
 * HTTP errors. `expected` lists predicates for console errors that are part
 * of the scenario (each must be narrow: one message about one URL).
 */
function watchPage(page, expected = []) {
  const problems = [];
  const expectedSeen = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (expected.some((isExpected) => isExpected(text))) expectedSeen.push(text);
    else problems.push(`console error: ${text} (${message.location().url || 'no url'})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack || error}`));
  page.on('requestfailed', (request) => {
    // WebSocket handshakes are not "requests" here; a failed one shows as a console error.
    problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure() && request.failure().errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog (${dialog.type()}): ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return { problems, expectedSeen };
}

/**
 * Chromium's console error for a WebSocket that could not connect to `url`
 * or a URL below it (the page adds the room and a query: ws://host:port/lobby?nick=...).
 */
function webSocketFailureTo(url) {
  const prefix = `WebSocket connection to '${url}`;
  return (text) => text.startsWith(prefix) && /^WebSocket connection to '[^']*' failed/.test(text);
}

/** Saves a screenshot when WEBCHAT_SCREENSHOT_DIR is set; returns its path or null. */
async function screenshot(page, name) {
  if (!paths.screenshotDir) return null;
  fs.mkdirSync(paths.screenshotDir, { recursive: true });
  const file = path.join(paths.screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Runs body({ server, browser }) with a webchatd of its own (chat: its chat listener's keys) and a Chromium, both ended after. */
async function withOwnServer(chat, body) {
  const server = await startChatServer({ chat });
  const browser = await launchChromium();
  try {
    await body({ server, browser });
  } finally {
    await browser.close();
    await server.kill();
  }
}

module.exports = {
  withOwnServer,
  paths, playwright, launchChromium, freePort, freePorts, startWebchatd, startChatServer, startRedis, chatroomMissing, watchPage,
  webSocketFailureTo, screenshot,
};
