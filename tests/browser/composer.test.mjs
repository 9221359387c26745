//
// What the composer counts (htdocs/composer.js, protocol.js, endpoint.js)
// under node's test runner: UTF-8 bytes as the server counts a message's
// text, when the counter shows, and the limit the page's configuration gives.
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { byteCounter, DEFAULT_MAX_TEXT_BYTES } from '../../htdocs/composer.js';
import { maxTextBytesOf } from '../../htdocs/endpoint.js';
import { utf8ByteLength } from '../../htdocs/protocol.js';

test('text is counted in bytes of UTF-8, as the server counts it', () => {
  assert.equal(utf8ByteLength(''), 0);
  assert.equal(utf8ByteLength('hello'), 5);
  assert.equal(utf8ByteLength('ệ'), 3);
  assert.equal(utf8ByteLength('ệ'.repeat(1500)), 4500); // 1,500 characters, over 4096 bytes
  assert.equal(utf8ByteLength('é'), 2);
  assert.equal(utf8ByteLength('😀'), 4); // one character, two UTF-16 units
  assert.equal(utf8ByteLength('line one\nline two'), 17);
  assert.equal(utf8ByteLength('\ud800'), 3); // a lone surrogate: U+FFFD
});

test('the counter shows from 80% of the limit: the bytes left, then the bytes over', () => {
  assert.equal(byteCounter(0, 64), null);
  assert.equal(byteCounter(51, 64), null);
  assert.deepEqual(byteCounter(52, 64), { key: 'bytesLeft', n: 12, over: false });
  assert.deepEqual(byteCounter(64, 64), { key: 'bytesLeft', n: 0, over: false });
  assert.deepEqual(byteCounter(66, 64), { key: 'bytesOver', n: 2, over: true });
  assert.deepEqual(byteCounter(4500, 4096), { key: 'bytesOver', n: 404, over: true });
});

test('the limit comes from maxTextBytes in the page\'s configuration, else 4096', () => {
  assert.equal(DEFAULT_MAX_TEXT_BYTES, 4096);
  assert.equal(maxTextBytesOf({ chatUrl: 'ws://h/', maxTextBytes: 300 }), 300);
  for (const config of [null, {}, { maxTextBytes: 0 }, { maxTextBytes: -5 }, { maxTextBytes: '300' }, { maxTextBytes: 1.5 }]) {
    assert.equal(maxTextBytesOf(config), 4096, JSON.stringify(config));
  }
});
