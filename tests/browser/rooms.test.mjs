//
// htdocs/rooms.js under node's test runner: where the room list is, what
// of it is shown, a room's address, and whether the page's policy lets it
// ask for the list.
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MAX_ROOMS_SHOWN, parseRooms, policyAllowsFetch, roomHref, roomsUrl } from '../../htdocs/rooms.js';

test('the room list is beside the chat endpoint, over http(s)', () => {
  assert.equal(roomsUrl('ws://h.example:8000/'), 'http://h.example:8000/rooms');
  assert.equal(roomsUrl('wss://h.example/chat/'), 'https://h.example/chat/rooms');
  assert.equal(roomsUrl('wss://h.example/chat'), 'https://h.example/chat/rooms');
});

test('GET /rooms is read as rooms with counts; the malformed entries are left out', () => {
  assert.deepEqual(parseRooms([{ room: 'lobby', users: 3, extra: 1 }, { room: 'Hà Nội', users: 0 }]),
    [{ room: 'lobby', users: 3 }, { room: 'Hà Nội', users: 0 }]);
  for (const bad of [{ room: 'a/b', users: 1 }, { room: '', users: 1 }, { room: 'x', users: -1 }, { room: 'x', users: 1.5 }, { room: 3, users: 1 }, null]) {
    assert.deepEqual(parseRooms([bad]), [], JSON.stringify(bad));
  }
  assert.deepEqual(parseRooms({ rooms: [] }), []);
  const many = Array.from({ length: 150 }, (_, i) => ({ room: `r${i}`, users: 1 }));
  assert.equal(parseRooms(many).length, MAX_ROOMS_SHOWN);
});

test('a room\'s address: ?room= with the name percent-encoded, a space as %20', () => {
  assert.equal(roomHref('Hà Nội'), '?room=H%C3%A0%20N%E1%BB%99i');
  assert.equal(roomHref('a&b=c'), '?room=a%26b%3Dc');
});

test('the page asks for the list only where its policy lets it', () => {
  const page = 'http://h.example:8080/';
  const target = 'http://h.example:8000/rooms';
  const shipped = "default-src 'self'; connect-src 'self' ws://h.example:8000 wss://h.example:8000; script-src 'self'";
  assert.equal(policyAllowsFetch(shipped, target, page), false);
  assert.equal(policyAllowsFetch(shipped.replace('wss://h.example:8000', 'wss://h.example:8000 http://h.example:8000'), target, page), true);
  assert.equal(policyAllowsFetch("connect-src 'self' http:", target, page), true);
  assert.equal(policyAllowsFetch("default-src 'self'", 'http://h.example:8080/chat/rooms', page), true);
  assert.equal(policyAllowsFetch("connect-src 'self' https://h.example/chat/", 'https://h.example/chat/rooms', 'https://h.example/'), true);
  assert.equal(policyAllowsFetch("connect-src https://h.example/other/", 'https://h.example/chat/rooms', page), false);
  assert.equal(policyAllowsFetch(null, target, page), true, 'no policy: anything');
  assert.equal(policyAllowsFetch("script-src 'self'", target, page), true, 'no connect-src nor default-src');
});
