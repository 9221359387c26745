//
// The page's modules that need no DOM, under node's test runner: the
// strings of both languages, the reconnect backoff, the room store's
// message order and dedupe, and the protocol's names and events.
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { reconnectDelay } from '../../htdocs/backoff.js';
import { STRINGS, createI18n, pickLanguage } from '../../htdocs/i18n.js';
import {
  cleanName, decodeEvent, nickProblem, roomFromLocation, roomProblem, roomSocketUrl, toMessage,
} from '../../htdocs/protocol.js';
import { createRoomStore } from '../../htdocs/roomStore.js';

test('every string exists in English and in Vietnamese', () => {
  assert.deepEqual(Object.keys(STRINGS.vi).sort(), Object.keys(STRINGS.en).sort());
  for (const [lang, table] of Object.entries(STRINGS)) {
    for (const [key, text] of Object.entries(table)) {
      assert.equal(typeof text, 'string', `${lang}.${key}`);
      // The same placeholders in both languages.
      const names = (s) => (s.match(/\{\w+\}/g) || []).sort();
      assert.deepEqual(names(text), names(STRINGS.en[key]), `${lang}.${key}`);
    }
  }
});

test('the language is the first preferred one with strings, else English', () => {
  assert.deepEqual(pickLanguage(['fr-FR', 'vi-VN', 'en']), { lang: 'vi', locale: 'vi-VN' });
  assert.deepEqual(pickLanguage(['de']), { lang: 'en', locale: 'en' });
  const { t } = createI18n(['vi']);
  assert.equal(t('joined', { nick: 'An' }), 'An đã vào phòng');
  assert.equal(t('joined', {}), '{nick} đã vào phòng');
});

test('reconnect delays grow exponentially with full jitter, capped at 30 s', () => {
  assert.equal(reconnectDelay(0, () => 0.999999) < 500, true);
  assert.equal(reconnectDelay(3, () => 0.5), 2000);
  assert.equal(reconnectDelay(50, () => 0.5), 15000);
  assert.equal(reconnectDelay(7, () => 0), 0);
});

test('the room store shows each message once, in order', () => {
  const store = createRoomStore();
  assert.equal(store.addMessage(3), true);
  assert.equal(store.addMessage(3), false, 'a duplicate');
  assert.equal(store.addMessage(2), false, 'older than the last one shown');
  assert.equal(store.addMessage(5), true);
  assert.equal(store.lastId(), 5);
  store.clearMessages();
  assert.equal(store.lastId(), 0);
  assert.equal(store.addMessage(1), true);
});

test('names, rooms and the socket URL as the server expects them', () => {
  assert.equal(cleanName('  Ánh\u0301 '), 'Ánh\u0301'.normalize('NFC'));
  assert.equal(nickProblem(''), 'nickEmpty');
  assert.equal(nickProblem('x'.repeat(33)), 'nickTooLong');
  assert.equal(nickProblem('a\u202eb'), 'nickInvalid');
  assert.equal(nickProblem('Dũng'), null);
  assert.equal(roomProblem('a/b'), 'invalidRoom');
  assert.equal(roomFromLocation({ search: '?room=H%C3%A0+N%E1%BB%99i' }), 'Hà Nội');
  assert.equal(roomFromLocation({ search: '' }), 'lobby');
  assert.equal(roomSocketUrl('ws://h:8000', 'Hà Nội', 'A B', null, 7, 'e1'), 'ws://h:8000/H%C3%A0%20N%E1%BB%99i?nick=A%20B&since=7&epoch=e1');
  assert.equal(decodeEvent('{"type":"join","nick":"a"}').nick, 'a');
  for (const frame of ['hello', '[1]', '{"type":1}', '{bad', null]) assert.equal(decodeEvent(frame), null, String(frame));
  assert.equal(toMessage({ id: 1, nick: 'a', text: 'hi', ts: 0 }).date.getTime(), 0);
  assert.equal(toMessage({ id: 0, nick: 'a', text: 'hi' }), null);
  assert.equal(toMessage({ type: 'message', id: 4, deleted: true, by: 'mod' }).deleted, true);
});

test('a page of older history adds what is older than the oldest shown, once, oldest first', () => {
  const store = createRoomStore();
  for (const id of [21, 22, 23]) store.addMessage(id);
  assert.equal(store.oldestId(), 21);
  const page = [{ id: 19 }, { id: 20 }, { id: 21 }, { id: 20 }, { id: 18 }];
  assert.deepEqual(store.takeOlder(page).map((m) => m.id), [18, 19, 20]);
  assert.equal(store.oldestId(), 18);
  assert.deepEqual(store.takeOlder(page), [], 'the same page again adds nothing');
  assert.equal(store.addMessage(24), true, 'live messages go on after the newest');
  assert.deepEqual(createRoomStore().takeOlder(page), [], 'nothing shown: nothing to go before');
});
