//
// htdocs/typing.js under node's test runner: what counts as typing, how
// often the page says so, who is shown typing and for how long.
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  createTypingList, createTypingSender, isTypingKey, typingNotice, TYPING_SEND_INTERVAL_MS, TYPING_SHOWN_MS,
} from '../../htdocs/typing.js';

test('characters are typing; Enter, arrows and shortcuts are not', () => {
  for (const key of ['a', 'ệ', '@', ' ', '😀']) assert.equal(isTypingKey({ key }), true, key);
  assert.equal(isTypingKey({ key: 'Process' }), true);
  assert.equal(isTypingKey({ key: 'Unidentified', isComposing: true }), true);
  for (const key of ['Enter', 'ArrowUp', 'Tab', 'Escape', 'Shift']) assert.equal(isTypingKey({ key }), false, key);
  assert.equal(isTypingKey({ key: 'v', ctrlKey: true }), false);
});

test('at most one typing notice per 3 s while typing', () => {
  let sent = 0;
  const sender = createTypingSender(() => { sent += 1; });
  assert.equal(TYPING_SEND_INTERVAL_MS, 3000);
  for (let t = 0; t < 10000; t += 100) sender.typed(t); // ten seconds of typing
  assert.equal(sent, 4); // at 0, 3000, 6000, 9000
  sender.reset();
  sender.typed(9100);
  assert.equal(sent, 5, 'after a message, the next key press is news again');
});

test('the others typing, each shown until 8 s after their last notice', () => {
  const list = createTypingList();
  assert.equal(TYPING_SHOWN_MS, 8000);
  list.add('Alice', 0);
  list.add('Bob', 1000);
  assert.deepEqual(list.current(5000), ['Alice', 'Bob']);
  assert.equal(list.nextExpiry(5000), 8000);
  list.add('Alice', 6000); // typing still
  assert.deepEqual(list.current(8500), ['Bob', 'Alice']);
  assert.deepEqual(list.current(9000), ['Alice']);
  list.rename('Alice', 'Alicia');
  assert.deepEqual(list.current(9000), ['Alicia']);
  assert.equal(list.remove('Alicia'), true); // her message arrived
  assert.deepEqual(list.current(9000), []);
  assert.equal(list.nextExpiry(9000), null);
});

test('the typing line: one name, two names, or how many', () => {
  assert.equal(typingNotice([]), null);
  assert.deepEqual(typingNotice(['Alice']), { key: 'typingOne', params: { nick: 'Alice' } });
  assert.deepEqual(typingNotice(['Alice', 'Bob']), { key: 'typingTwo', params: { a: 'Alice', b: 'Bob' } });
  assert.deepEqual(typingNotice(['A', 'B', 'C']), { key: 'typingMany', params: { n: 3 } });
});
