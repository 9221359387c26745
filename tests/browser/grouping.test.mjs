//
// htdocs/grouping.js under node's test runner: which messages continue
// their speaker's run (name and time shown once).
//

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { continuesRun, GROUP_WINDOW_MS, speakerOf } from '../../htdocs/grouping.js';

test('a speaker is known by from, else by nick', () => {
  assert.equal(speakerOf({ nick: 'alice', from: 'f-1' }), 'from:f-1');
  assert.equal(speakerOf({ nick: 'alice', from: null }), 'nick:alice');
  assert.equal(speakerOf({ nick: 'alice', from: '' }), 'nick:alice');
  assert.equal(speakerOf({ text: 'relay' }), null);
  // A nick taken over by someone else after its holder left is another speaker.
  assert.notEqual(speakerOf({ nick: 'alice', from: 'f-old' }), speakerOf({ nick: 'alice', from: 'f-new' }));
});

test('the same speaker within five minutes continues the run', () => {
  const at = (speaker, time) => ({ speaker, time });
  assert.equal(GROUP_WINDOW_MS, 300000);
  assert.equal(continuesRun(at('from:a', 0), at('from:a', 1000)), true);
  assert.equal(continuesRun(at('from:a', 0), at('from:a', GROUP_WINDOW_MS)), true);
  assert.equal(continuesRun(at('from:a', 0), at('from:a', GROUP_WINDOW_MS + 1)), false);
  assert.equal(continuesRun(at('from:a', 5000), at('from:a', 1000)), true, 'stamped a little earlier');
  assert.equal(continuesRun(at('from:a', 0), at('from:b', 1000)), false);
  assert.equal(continuesRun(null, at('from:a', 0)), false, 'the first, or after a notice');
  assert.equal(continuesRun(at(null, 0), at(null, 0)), false, 'relay messages have no speaker');
});
