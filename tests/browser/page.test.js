'use strict';
//
// The chat page as webchatd's page plugin serves it, in headless Chromium:
// it renders, its script runs under the strict Content-Security-Policy with
// no errors, it finds its WebSocket endpoint through /webchat-config.json,
// it fits a phone screen, and it has both colour schemes. It asks for a
// nickname once, in a dialog usable from the keyboard, joins the room named
// in its URL (?room=) and speaks the browser's language (English or
// Vietnamese). There is no chat listener here, so the page must show that it
// is (re)connecting; the only console error allowed is Chromium's report of
// that refused WebSocket.
//

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { paths, playwright, launchChromium, freePorts, startWebchatd, watchPage, webSocketFailureTo, screenshot } = require('./support');

playwright(); // fail now, with instructions, if `npm ci` has not run

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WAIT_MS = 10000;
const NICK_KEY = 'webchat.nick'; // where htdocs/identity.js remembers the nick

describe('chat page served by webchatd', () => {
  let server = null;
  let browser = null;
  let pageUrl = '';
  let chatUrl = '';

  before(async () => {
    const [pagePort, chatPort] = await freePorts(2);
    pageUrl = `http://127.0.0.1:${pagePort}/`;
    chatUrl = `ws://127.0.0.1:${chatPort}/`; // nothing listens there
    server = await startWebchatd({
      page: { port: pagePort, plugin: 'page', class: 'PagePlugin', root: paths.htdocs, chat_port: chatPort },
    });
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.kill(); // only if the SIGTERM test did not get to stop it
  });

  /**
   * A fresh page in its own context; `problems` collects everything that
   * went wrong in it. The nick is remembered from an earlier visit unless
   * `nick` is null (then the page asks for one); `path` is appended to the
   * page URL (e.g. '?room=...').
   */
  async function openPage(contextOptions, { nick = 'Tester', path = '' } = {}) {
    const storageState = nick === null ? undefined
      : { cookies: [], origins: [{ origin: new URL(pageUrl).origin, localStorage: [{ name: NICK_KEY, value: nick }] }] };
    const context = await browser.newContext({ ...contextOptions, storageState });
    const page = await context.newPage();
    const watch = watchPage(page, [webSocketFailureTo(chatUrl)]);
    // Registered before navigation so the first attempt cannot be missed.
    const wsFailure = page.waitForEvent('console', {
      predicate: (message) => message.type() === 'error' && webSocketFailureTo(chatUrl)(message.text()),
      timeout: WAIT_MS,
    });
    wsFailure.catch(() => {}); // awaited only by the tests that need it
    const response = await page.goto(pageUrl + path);
    return { context, page, response, wsFailure, ...watch };
  }

  /** The socket URL of a failed connection attempt, from Chromium's console error. */
  function attemptedUrl(failure) {
    const match = /^WebSocket connection to '([^']*)' failed/.exec(failure.text());
    assert.ok(match, failure.text());
    return match[1];
  }

  /** The id of the focused element. */
  function focused(page) {
    return page.evaluate(() => document.activeElement && document.activeElement.id);
  }

  /**
   * Waits for the "reconnecting" state and returns what the page shows then,
   * read in one go: the next attempt may start any moment (jittered backoff).
   */
  async function whileReconnecting(page) {
    const handle = await page.waitForFunction(() => {
      const status = document.getElementById('status');
      if (status.dataset.state !== 'reconnecting') return null;
      const box = (el) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
      };
      const retry = document.getElementById('retry');
      return {
        statusText: document.getElementById('status-text').textContent,
        retryShown: !retry.hidden && retry.getClientRects().length > 0,
        sendDisabled: document.getElementById('send').disabled,
        boxes: {
          status: box(status), retry: box(retry),
          input: box(document.getElementById('message')), send: box(document.getElementById('send')),
        },
        layout: {
          innerWidth: window.innerWidth,
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          bodyScrollWidth: document.body.scrollWidth,
        },
      };
    }, null, { timeout: WAIT_MS });
    return handle.jsonValue();
  }

  test('webchat-config.json names the chat endpoint on the host the page came from, and the longest text', async () => {
    const context = await browser.newContext();
    try {
      const response = await context.request.get(new URL('webchat-config.json', pageUrl).href);
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-type'] || '', /^application\/json/);
      assert.deepEqual(await response.json(), { chatUrl, maxTextBytes: 4096 });
    } finally {
      await context.close();
    }
  });

  test('renders its controls, runs its script under the CSP and shows it is reconnecting', async () => {
    const { context, page, response, wsFailure, problems, expectedSeen } = await openPage({ viewport: DESKTOP });
    try {
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-type'] || '', /^text\/html/);
      assert.match(response.headers()['content-type'], /charset=utf-8/i);

      // Enforced (not report-only) and strict; a violation would be a console error below.
      const csp = response.headers()['content-security-policy'];
      assert.ok(csp, 'Content-Security-Policy header missing');
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'"]) {
        assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
      }
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

      assert.equal(await page.title(), 'lobby · webchat');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'webchat');
      const log = page.getByRole('log', { name: 'Messages' });
      assert.ok(await log.isVisible());
      assert.equal(await log.getAttribute('aria-live'), 'polite');
      const input = page.getByRole('textbox', { name: 'Message', exact: true });
      assert.ok(await input.isVisible());
      const send = page.getByRole('button', { name: 'Send', exact: true });
      assert.ok(await send.isVisible());

      // The script ran: it replaced the static "Loading…", read the endpoint
      // from webchat-config.json (not the port-8000 fallback), tried it, and
      // is now counting down to the next attempt.
      // The room is the default one; the remembered nick is in the URL.
      const failure = await wsFailure;
      assert.equal(attemptedUrl(failure), `${chatUrl}lobby?nick=Tester`);
      assert.equal(await page.getByRole('dialog').count(), 0, 'a remembered nick is not asked again');
      const shown = await whileReconnecting(page);
      assert.match(shown.statusText, /^Reconnecting in \d+ s…$/);
      assert.ok(shown.retryShown, 'no Retry button while reconnecting');
      assert.ok(shown.sendDisabled, 'Send must be disabled while not connected');
      assert.ok(await send.isDisabled(), 'Send must be disabled while not connected');

      // Enter does not send while disconnected, and the typed text stays.
      await input.fill('Xin chào');
      await input.press('Enter');
      assert.equal(await input.inputValue(), 'Xin chào');
      assert.equal(await page.locator('#messages > *').count(), 0);

      // Keyboard focus is visible.
      await input.focus();
      const outline = await input.evaluate((el) => getComputedStyle(el).outlineStyle);
      assert.notEqual(outline, 'none', 'focused input has no visible outline');

      // The favicon the page links to exists (no 404 for /favicon.ico either: the link replaces it).
      const iconHref = await page.locator('link[rel="icon"]').evaluate((link) => link.href);
      const icon = await context.request.get(iconHref);
      assert.equal(icon.status(), 200, `favicon ${iconHref}`);
      assert.match(icon.headers()['content-type'] || '', /^image\/svg\+xml/);

      // The page's scripts keep to themselves: the window has no property a
      // script-less document from the same origin (the favicon) lacks (the
      // page's modules share what they need through imports).
      const ownNames = () => Object.getOwnPropertyNames(window);
      const pageNames = await page.evaluate(ownNames);
      const plain = await context.newPage();
      await plain.goto(iconHref);
      const plainNames = new Set(await plain.evaluate(ownNames));
      await plain.close();
      assert.deepEqual(pageNames.filter((name) => !plainNames.has(name)), [], 'the page\'s scripts added globals');

      await screenshot(page, 'desktop-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'desktop-dark');

      assert.deepEqual(problems, []);
      assert.ok(expectedSeen.length >= 1);
    } finally {
      await context.close();
    }
  });

  test('shows when the browser is offline and tries again when the network is back', async () => {
    const { context, page, problems } = await openPage({ viewport: DESKTOP });
    try {
      await whileReconnecting(page);
      await context.setOffline(true);
      await page.waitForFunction(() => {
        const status = document.getElementById('status');
        return status.dataset.state === 'offline' && document.getElementById('status-text').textContent === 'Offline' &&
          document.getElementById('send').disabled && document.getElementById('retry').hidden;
      }, null, { timeout: WAIT_MS });

      const attempt = page.waitForEvent('console', {
        predicate: (message) => message.type() === 'error' && webSocketFailureTo(chatUrl)(message.text()),
        timeout: WAIT_MS,
      });
      await context.setOffline(false);
      await attempt; // it tried the endpoint again right away
      await page.waitForSelector('#status:is([data-state="connecting"], [data-state="reconnecting"])', { timeout: WAIT_MS });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('follows prefers-color-scheme', async () => {
    const { context, page, problems } = await openPage({ viewport: DESKTOP, colorScheme: 'light' });
    try {
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const light = await background();
      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = await background();
      assert.notEqual(light, dark);
      const luminance = (rgb) => rgb.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
      assert.ok(luminance(light) > luminance(dark), `light ${light} should be brighter than dark ${dark}`);
      await whileReconnecting(page);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('fits a 390×844 phone screen without horizontal scrolling', async () => {
    const { context, page, problems } = await openPage({
      viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    });
    try {
      // Measured while reconnecting: the widest status text and the Retry button are showing.
      const { layout, boxes } = await whileReconnecting(page);
      // isMobile honours <meta name="viewport">: without it the layout would be 980 px wide.
      assert.equal(layout.innerWidth, PHONE.width, JSON.stringify(layout));
      assert.ok(layout.scrollWidth <= layout.clientWidth, `horizontal scroll: ${JSON.stringify(layout)}`);
      assert.ok(layout.bodyScrollWidth <= layout.clientWidth, `horizontal scroll: ${JSON.stringify(layout)}`);
      for (const [name, box] of Object.entries(boxes)) {
        assert.ok(box.width > 0 && box.left >= 0 && box.right <= PHONE.width && box.top >= 0 && box.bottom <= PHONE.height,
          `${name} is not fully on the screen: ${JSON.stringify(box)}`);
      }

      await screenshot(page, 'phone-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'phone-dark');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('asks for a nickname once, in a dialog made for the keyboard', async () => {
    const { context, page, wsFailure, problems } = await openPage({ viewport: DESKTOP }, { nick: null });
    try {
      const dialog = page.getByRole('dialog', { name: 'Choose a nickname' });
      await dialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      assert.ok(await page.locator('#nick-dialog').evaluate((el) => el.matches(':modal')), 'the dialog is modal');
      assert.equal(await page.locator('#status-text').textContent(), 'Choose a nickname to join');
      assert.equal(await dialog.getAttribute('aria-describedby'), 'nick-help');
      assert.match(await page.locator('#nick-help').textContent(), /^Up to 32 characters\./);
      const field = dialog.getByRole('textbox', { name: 'Nickname' });
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'nick-input', null, { timeout: WAIT_MS });
      assert.ok(await page.locator('#send').isDisabled());

      // Tab and Shift+Tab move between the field and the two buttons.
      const order = [];
      for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
        await page.keyboard.press(key);
        order.push(await focused(page));
      }
      assert.deepEqual(order, ['nick-cancel', 'nick-submit', 'nick-cancel', 'nick-input']);
      assert.equal(await dialog.getByRole('button', { name: 'Join as a guest' }).count(), 1);
      assert.equal(await dialog.getByRole('button', { name: 'Join', exact: true }).count(), 1);

      // Enter with nothing typed, or too much: the dialog stays and says why.
      const alert = page.getByRole('alert');
      await field.press('Enter');
      await alert.waitFor({ timeout: WAIT_MS });
      assert.equal(await alert.textContent(), 'Please enter a nickname.');
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.equal(await focused(page), 'nick-input');
      await field.fill('x'.repeat(33));
      assert.equal(await alert.count(), 0, 'typing clears the error');
      await field.press('Enter');
      await alert.waitFor({ timeout: WAIT_MS });
      assert.equal(await alert.textContent(), 'A nickname has at most 32 characters.');
      assert.ok(await dialog.isVisible());

      // A good nick (spaces around it are dropped): the page joins with it
      // (its first connection attempt carries it) and focus goes to the message box.
      await field.fill('  Tester Nguyễn  ');
      await field.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
      assert.equal(await focused(page), 'message');
      assert.equal(attemptedUrl(await wsFailure), `${chatUrl}lobby?nick=Tester%20Nguy%E1%BB%85n`);
      // Remembered only once a room accepts it (none here).
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), NICK_KEY), null);
      await screenshot(page, 'dialog-closed-reconnecting');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('Escape in the nickname dialog joins nobody; joining as a guest is a button', async () => {
    const { context, page, wsFailure, problems } = await openPage({ viewport: PHONE, isMobile: true, hasTouch: true }, { nick: null });
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    try {
      const dialog = page.getByRole('dialog', { name: 'Choose a nickname' });
      await dialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      await screenshot(page, 'dialog-phone-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'dialog-phone-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
      // Closed, and nobody joined: the room says how to read it, a button asks again.
      const join = page.getByRole('button', { name: 'Join the room…' });
      await join.waitFor({ state: 'visible', timeout: WAIT_MS });
      assert.equal(await focused(page), 'join');
      assert.equal(await page.locator('#messages').evaluate((el) => getComputedStyle(el, '::before').content), '"Join to read the conversation."');
      assert.equal(await page.locator('#status-text').textContent(), 'Choose a nickname to join');
      assert.deepEqual(sockets, [], 'Escape opened no connection');
      await screenshot(page, 'dialog-dismissed-phone-light');

      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      await dialog.getByRole('button', { name: 'Join as a guest' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });
      assert.equal(await focused(page), 'message');
      assert.equal(attemptedUrl(await wsFailure), `${chatUrl}lobby`, 'a guest sends no nick (the server names it)');
      assert.equal(await join.isVisible(), false);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('joins the room named in the page URL (?room=)', async () => {
    for (const path of ['?room=H%C3%A0%20N%E1%BB%99i', '?room=H%C3%A0+N%E1%BB%99i', '?room=%20H%C3%A0%20N%E1%BB%99i%20']) {
      const { context, page, wsFailure, problems } = await openPage({ viewport: DESKTOP }, { path });
      try {
        assert.equal(attemptedUrl(await wsFailure), `${chatUrl}H%C3%A0%20N%E1%BB%99i?nick=Tester`, path);
        assert.equal(await page.locator('#room-name').textContent(), 'Hà Nội');
        assert.equal(await page.title(), 'Hà Nội · webchat');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    }

    // A name the server would refuse: said at once, no connection.
    const { context, page, problems } = await openPage({ viewport: DESKTOP }, { path: '?room=a%2Fb' });
    try {
      await page.waitForSelector('#status[data-state="stopped"]', { timeout: WAIT_MS });
      assert.equal(await page.locator('#status-text').textContent(), 'Not connected');
      assert.equal(await page.locator('#messages .notice-text').textContent(), '“a/b” is not a valid room name.');
      assert.ok(await page.locator('#send').isDisabled());
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('speaks Vietnamese to a vi-VN browser', async () => {
    const { context, page, problems } = await openPage({ viewport: DESKTOP, locale: 'vi-VN' }, { nick: null });
    try {
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
      const dialog = page.getByRole('dialog', { name: 'Chọn biệt danh' });
      await dialog.waitFor({ state: 'visible', timeout: WAIT_MS });
      const field = dialog.getByRole('textbox', { name: 'Biệt danh' });
      await field.press('Enter');
      await page.getByRole('alert').waitFor({ timeout: WAIT_MS });
      assert.equal(await page.getByRole('alert').textContent(), 'Vui lòng nhập biệt danh.');
      await field.fill('An');
      await field.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });

      const shown = await whileReconnecting(page);
      assert.match(shown.statusText, /^Kết nối lại sau \d+ giây…$/);
      assert.ok(await page.getByRole('button', { name: 'Thử lại ngay' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Gửi', exact: true }).isVisible());
      assert.ok(await page.getByRole('textbox', { name: 'Tin nhắn', exact: true }).isVisible());
      assert.ok(await page.getByRole('log', { name: 'Tin nhắn' }).isVisible());
      assert.equal(await page.locator('#message').getAttribute('placeholder'), 'Nhập tin nhắn…');
      assert.equal(await page.locator('#room').textContent(), 'Phòng: lobby');
      const empty = await page.locator('#messages').evaluate((el) => getComputedStyle(el, '::before').content);
      assert.equal(empty, '"Chưa có tin nhắn nào."');
      await screenshot(page, 'vi-reconnecting-desktop');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('webchatd stops on SIGTERM with exit code 0', async () => {
    const result = await server.stop();
    server = null;
    assert.deepEqual(result, { code: 0, signal: null });
  });
});
