'use strict';
//
// The chat page as webchatd's page plugin serves it, in headless Chromium:
// it renders, its script runs under the strict Content-Security-Policy with
// no errors, it finds its WebSocket endpoint through /webchat-config.json,
// it fits a phone screen, and it has both colour schemes. There is no chat
// listener here, so the page must show that it is (re)connecting; the only
// console error allowed is Chromium's report of that refused WebSocket.
//

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { paths, playwright, launchChromium, freePort, startWebchatd, watchPage, webSocketFailureTo, screenshot } = require('./support');

playwright(); // fail now, with instructions, if `npm ci` has not run

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WAIT_MS = 10000;

describe('chat page served by webchatd', () => {
  let server = null;
  let browser = null;
  let pageUrl = '';
  let chatUrl = '';

  before(async () => {
    const [pagePort, chatPort] = [await freePort(), await freePort()];
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

  /** A fresh page in its own context; `problems` collects everything that went wrong in it. */
  async function openPage(contextOptions) {
    const context = await browser.newContext(contextOptions);
    const page = await context.newPage();
    const watch = watchPage(page, [webSocketFailureTo(chatUrl)]);
    // Registered before navigation so the first attempt cannot be missed.
    const wsFailure = page.waitForEvent('console', {
      predicate: (message) => message.type() === 'error' && webSocketFailureTo(chatUrl)(message.text()),
      timeout: WAIT_MS,
    });
    wsFailure.catch(() => {}); // awaited only by the tests that need it
    const response = await page.goto(pageUrl);
    return { context, page, response, wsFailure, ...watch };
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

  test('webchat-config.json names the chat endpoint on the host the page came from', async () => {
    const context = await browser.newContext();
    try {
      const response = await context.request.get(new URL('webchat-config.json', pageUrl).href);
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-type'] || '', /^application\/json/);
      assert.deepEqual(await response.json(), { chatUrl });
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

      assert.equal(await page.title(), 'webchat');
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
      const failure = await wsFailure;
      assert.ok(failure.text().startsWith(`WebSocket connection to '${chatUrl}' failed`));
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

      // chat.js keeps to itself: the window has no property a script-less
      // document from the same origin (the favicon) lacks.
      const ownNames = () => Object.getOwnPropertyNames(window);
      const pageNames = await page.evaluate(ownNames);
      const plain = await context.newPage();
      await plain.goto(iconHref);
      const plainNames = new Set(await plain.evaluate(ownNames));
      await plain.close();
      assert.deepEqual(pageNames.filter((name) => !plainNames.has(name)), [], 'chat.js added globals');

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

  test('webchatd stops on SIGTERM with exit code 0', async () => {
    const result = await server.stop();
    server = null;
    assert.deepEqual(result, { code: 0, signal: null });
  });
});
