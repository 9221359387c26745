//
// htdocs/roomEvents.js under node's test runner: who "you" are, which
// messages are yours, tombstones, the topic, the moderation requests and
// the notices of refusals. No browser, no server.
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as events from '../../htdocs/roomEvents.js';

test('the welcome names who you are, and a moderator by its roles', () => {
  const self = events.selfFromWelcome({ nick: 'Alice', from: 'f-1', roles: ['moderator'], verified: true }, 'asked');
  assert.deepEqual(self, { nick: 'Alice', from: 'f-1', moderator: true, verified: true });
  assert.equal(events.selfFromWelcome({ nick: 'a', roles: ['admin'] }).moderator, true);
  for (const roles of [undefined, [], ['user'], 'moderator', [42]]) {
    assert.equal(events.selfFromWelcome({ nick: 'a', roles }).moderator, false, JSON.stringify(roles));
  }
  // No from (an older server): null, and the nick asked for when none is sent.
  assert.deepEqual(events.selfFromWelcome({}, 'asked'), { nick: 'asked', from: null, moderator: false, verified: false });
  assert.equal(events.selfFromWelcome({ nick: 'a', from: '' }).from, null);
});

test('your messages are known by from, not by a nick someone else can take', () => {
  const self = events.selfFromWelcome({ nick: 'alice', from: 'f-new' });
  // Alice left; a newcomer took "alice": her old messages are not the newcomer's.
  assert.equal(events.isOwn({ nick: 'alice', from: 'f-old' }, self), false);
  assert.equal(events.isOwn({ nick: 'renamed', from: 'f-new' }, self), true);
  // Without from on either side: by nick.
  assert.equal(events.isOwn({ nick: 'alice' }, self), true);
  assert.equal(events.isOwn({ nick: 'alice', from: 'f-old' }, events.selfFromWelcome({ nick: 'alice' })), true);
  assert.equal(events.isOwn({ nick: 'bob' }, events.selfFromWelcome({ nick: 'alice' })), false);
  assert.equal(events.isOwn(null, self), false);
});

test('tombstones, live and in history', () => {
  assert.deepEqual(events.toTombstone({ type: 'deleted', id: 7, by: 'mod' }), { id: 7, by: 'mod' });
  assert.deepEqual(events.toTombstone({ type: 'message', id: 3, deleted: true, by: 'mod' }), { id: 3, by: 'mod' });
  assert.deepEqual(events.toTombstone({ type: 'deleted', id: 4 }), { id: 4, by: '' });
  for (const event of [{ type: 'message', id: 3, nick: 'a', text: 't' }, { type: 'deleted', id: 0 }, { type: 'deleted', id: '3' },
    { type: 'message', id: 3, deleted: 'yes' }, null]) {
    assert.equal(events.toTombstone(event), null, JSON.stringify(event));
  }
});

test('the topic from a welcome or a topic event', () => {
  assert.deepEqual(events.toTopic({ type: 'welcome', topic: 'Be kind' }), { text: 'Be kind', by: '' });
  assert.deepEqual(events.toTopic({ type: 'topic', text: 'New', by: 'mod' }), { text: 'New', by: 'mod' });
  assert.deepEqual(events.toTopic({ type: 'topic', text: '', by: 'mod' }), { text: '', by: 'mod' });
  assert.deepEqual(events.toTopic({ type: 'welcome' }), { text: '', by: '' });
  assert.deepEqual(events.toTopic({ type: 'welcome', topic: 5 }), { text: '', by: '' });
});

test('the moderation requests', () => {
  assert.deepEqual(JSON.parse(events.encodeDelete(12)), { type: 'delete', id: 12 });
  assert.deepEqual(JSON.parse(events.encodeKick('bob')), { type: 'kick', nick: 'bob' });
  assert.deepEqual(JSON.parse(events.encodeMute('bob')), { type: 'mute', nick: 'bob', seconds: 600 });
  assert.deepEqual(JSON.parse(events.encodeBan('bob')), { type: 'ban', nick: 'bob', seconds: 86400 });
  assert.deepEqual(JSON.parse(events.encodeBan('Bình "x"', 60)), { type: 'ban', nick: 'Bình "x"', seconds: 60 });
});

test('durations in the largest unit that fits, rounded up, in the reader\'s language', () => {
  assert.equal(events.formatDuration(600, 'en'), '10 minutes');
  assert.equal(events.formatDuration(86400, 'en'), '1 day');
  assert.equal(events.formatDuration(45, 'en'), '45 seconds');
  assert.equal(events.formatDuration(3601, 'en'), '2 hours');
  assert.equal(events.formatDuration(0, 'en'), '1 second');
  assert.equal(events.formatDuration(600, 'vi'), '10 phút');
  assert.equal(events.formatDuration(86400, 'vi'), '1 ngày');
});

test('refusals become notices with their duration', () => {
  assert.deepEqual(events.refusalNotice({ type: 'error', code: 'banned', seconds: 86400 }, 'en'),
    { key: 'bannedFor', params: { nick: '', duration: '1 day' } });
  assert.deepEqual(events.refusalNotice({ type: 'error', code: 'banned' }, 'en'), { key: 'banned', params: { nick: '' } });
  assert.deepEqual(events.refusalNotice({ type: 'error', code: 'muted', seconds: 590 }, 'vi'),
    { key: 'mutedFor', params: { nick: '', duration: '10 phút' } });
  assert.equal(events.refusalNotice({ type: 'error', code: 'nick_reserved' }, 'en', 'alice').params.nick, 'alice');
  assert.equal(events.refusalNotice({ type: 'error', code: 'nick_reserved' }, 'en', 'alice').key, 'nickReserved');
  assert.equal(events.refusalNotice({ type: 'error', code: 'unauthorized' }, 'en').key, 'unauthorized');
  assert.equal(events.refusalNotice({ type: 'error', code: 'forbidden' }, 'en').key, 'forbidden');
  assert.equal(events.refusalNotice({ type: 'error', code: 'rate_limited' }, 'en'), null);
  assert.equal(events.refusalNotice({ type: 'error', code: 'toString' }, 'en'), null);
  assert.equal(events.refusalNotice(null, 'en'), null);
});

test('a kick says who and why; kicks, bans and failed sign-ins end the session', () => {
  assert.deepEqual(events.kickedNotice({ type: 'kicked', by: 'mod', reason: 'spam' }), { key: 'kickedBecause', params: { by: 'mod', reason: 'spam' } });
  assert.deepEqual(events.kickedNotice({ type: 'kicked', by: 'mod' }), { key: 'kicked', params: { by: 'mod', reason: '' } });
  for (const code of ['kicked', 'banned', 'unauthorized']) assert.equal(events.endsSession(code), true, code);
  for (const code of ['token_expired', 'muted', 'nick_taken', 'nick_reserved', 'room_full', 'flooding']) assert.equal(events.endsSession(code), false, code);
});

test('a signed identity from the address\'s fragment, and the name it claims', () => {
  const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const jwt = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'u-1', name: 'Bình Nguyễn', roles: ['moderator'] })}.c2lnbmF0dXJl`;
  assert.equal(events.identityTokenFromHash(`#token=${jwt}`), jwt);
  assert.equal(events.identityTokenFromHash(`#x=1&token=${jwt}`), jwt);
  assert.equal(events.identityName(jwt), 'Bình Nguyễn');
  // No name claim, or an unreadable one: the page asks for a nick.
  assert.equal(events.identityName(`${part({ alg: 'HS256' })}.${part({ sub: 'u-1' })}.c2ln`), null);
  assert.equal(events.identityName(`${part({ alg: 'HS256' })}.${part({ sub: 'u-1', name: 42 })}.c2ln`), null);
  assert.equal(events.identityName(`${part({ alg: 'HS256' })}.bm90IGpzb24.c2ln`), null);
  assert.equal(events.identityName(`${part({ alg: 'HS256' })}.${Buffer.from([0xff, 0xfe]).toString('base64url')}.c2ln`), null);
  // Not a JWT, too long, or no fragment at all: no identity.
  for (const hash of ['', '#', '#token=', '#token=abc', '#token=a.b', `#token=${jwt}.x`, '#token=a.b.c<script>', `#token=${'a'.repeat(8190)}.b.c`, `?token=${jwt}`, null]) {
    assert.equal(events.identityTokenFromHash(hash), null, String(hash).slice(0, 40));
  }
  assert.equal(events.identityName('a.b'), null);
  assert.equal(events.identityName(null), null);
});
