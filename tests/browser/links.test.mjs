//
// htdocs/links.js under node's test runner: which parts of a message's
// text are web addresses, and where a link to each goes.
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { linkTarget, splitLinks } from '../../htdocs/links.js';

const links = (text) => splitLinks(text).filter((part) => part.href !== undefined).map((part) => [part.text, part.href]);

test('http, https and www. addresses are links; the parts give the text back unchanged', () => {
  const text = 'see http://example.com/a?b=1&c=2#d and https://Ex.ORG, or www.example.net/x.';
  assert.deepEqual(links(text), [
    ['http://example.com/a?b=1&c=2#d', 'http://example.com/a?b=1&c=2#d'],
    ['https://Ex.ORG', 'https://ex.org/'],
    ['www.example.net/x', 'http://www.example.net/x'],
  ]);
  assert.equal(splitLinks(text).map((part) => part.text).join(''), text);
  assert.deepEqual(splitLinks('no links here'), [{ text: 'no links here' }]);
  assert.deepEqual(splitLinks(''), [{ text: '' }]);
});

test('no other scheme becomes a link', () => {
  for (const text of ['javascript:alert(1)', 'JavaScript:alert(document.cookie)', 'data:text/html,<script>x</script>',
    'vbscript:msgbox(1)', 'file:///etc/passwd', 'ftp://example.com/', 'mailto:a@b.c', 'http://', 'https:// x', 'www.']) {
    assert.deepEqual(links(text), [], text);
  }
  assert.equal(linkTarget('javascript:alert(1)'), null);
  assert.equal(linkTarget('https://a.example/'), 'https://a.example/');
});

test('an address starts at a word boundary, ends before the sentence punctuation', () => {
  assert.deepEqual(links('xhttp://a.example, awww.a.example, me@www.a.example'), []);
  assert.deepEqual(links('(see http://a.example/wiki/A_(b)), ok'), [['http://a.example/wiki/A_(b)', 'http://a.example/wiki/A_(b)']]);
  assert.deepEqual(links('"https://a.example/q?x=1"!'), [['https://a.example/q?x=1', 'https://a.example/q?x=1']]);
  assert.deepEqual(links('line one\nhttps://a.example\nline three'), [['https://a.example', 'https://a.example/']]);
  assert.deepEqual(links('<https://a.example/>'), [['https://a.example/', 'https://a.example/']]);
});

test('a javascript: text with an address inside links only to the http address', () => {
  assert.deepEqual(links('javascript:fetch("https://a.example/steal")'), [['https://a.example/steal', 'https://a.example/steal']]);
});
