//
// htdocs/mentions.js under node's test runner: which parts of a text are
// @mentions of someone present, whether a message calls the reader, and
// what the nick picker offers and inserts.
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { insertMention, mentionCandidates, mentionQuery, mentions, splitMentions } from '../../htdocs/mentions.js';

const named = (text, nicks) => splitMentions(text, nicks).filter((part) => part.mention).map((part) => [part.text, part.mention]);

test('@nick of someone present is a mention, in any case; the parts give the text back', () => {
  const nicks = ['Alice', 'Bob', 'Tester Nguyễn', 'Tester'];
  const text = 'hi @alice and @Tester Nguyễn, @Tester: @carol?';
  assert.deepEqual(named(text, nicks), [['@alice', 'Alice'], ['@Tester Nguyễn', 'Tester Nguyễn'], ['@Tester', 'Tester']]);
  assert.equal(splitMentions(text, nicks).map((part) => part.text).join(''), text);
  assert.deepEqual(splitMentions('', nicks), [{ text: '' }]);
});

test('no mention inside a word or an address, nor of a longer name', () => {
  assert.deepEqual(named('me@alice.example', ['alice']), []);
  assert.deepEqual(named('@alicex @alice_ @alice1', ['alice']), []);
  assert.deepEqual(named('(@alice)', ['alice']), [['@alice', 'alice']]);
  assert.deepEqual(named('@@alice', ['alice']), [['@alice', 'alice']]);
});

test('a message calls the reader when it mentions their nick', () => {
  assert.equal(mentions('ping @Bình', 'bình'), true);
  assert.equal(mentions('ping Bình', 'Bình'), false);
  assert.equal(mentions('ping @Bình', null), false);
});

test('the picker: the @query before the caret, the nicks it offers, what it inserts', () => {
  assert.deepEqual(mentionQuery('hi @al', 6), { start: 3, query: 'al' });
  assert.deepEqual(mentionQuery('@', 1), { start: 0, query: '' });
  assert.equal(mentionQuery('me@al', 5), null);
  assert.equal(mentionQuery('hi @al\nx', 8), null);
  assert.equal(mentionQuery('no at', 5), null);
  assert.deepEqual(mentionCandidates('b', ['bob', 'Alice', 'Bình', 'carol']), ['Bình', 'bob']);
  assert.deepEqual(mentionCandidates('', ['b', 'a', 'c'], 2), ['a', 'b']);
  assert.deepEqual(insertMention('hi @al and', 3, 6, 'Alice'), { value: 'hi @Alice and', caret: 10 });
  assert.deepEqual(insertMention('@b', 0, 2, 'Bình'), { value: '@Bình ', caret: 6 });
});
