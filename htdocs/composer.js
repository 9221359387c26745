/*
 * webchat page: the message box and its Send button. The box is a
 * textarea: Enter sends, Shift+Enter starts a new line (line breaks go
 * out as they are). Nothing typed is ever cut: near the room's limit a
 * counter says how many bytes are left (UTF-8, counted as the server
 * counts them), and a text over it is not sent but kept in the box, with a
 * notice saying by how much it is over.
 */

import { utf8ByteLength } from './protocol.js';
import { isTypingKey } from './typing.js';

export const DEFAULT_MAX_TEXT_BYTES = 4096; // the chat listener's default max_text_bytes

// The counter shows from this share of the limit on.
const COUNTER_FROM = 0.8;

/** What the counter says for text of `bytes` under a limit of `max`: null (hidden), or { key, n, over }. */
export function byteCounter(bytes, max) {
  if (bytes < max * COUNTER_FROM) return null;
  return bytes > max ? { key: 'bytesOver', n: bytes - max, over: true } : { key: 'bytesLeft', n: max - bytes, over: false };
}

/**
 * The composer. options: form, input (the textarea), sendButton, counter
 * (an element for the byte counter), t, onSend(text) (true if it went
 * out: the box is emptied), notify(text) (says why a text was not sent),
 * onTyping(text) (a key press that types, with the box's text so far).
 */
export function createComposer(options) {
  var form = options.form;
  var input = options.input;
  var counter = options.counter;
  var t = options.t;
  var enabled = false;
  var maxBytes = DEFAULT_MAX_TEXT_BYTES;

  function renderCounter() {
    var shown = byteCounter(utf8ByteLength(input.value), maxBytes);
    counter.hidden = shown === null;
    counter.textContent = shown ? t(shown.key, { n: shown.n }) : '';
    counter.dataset.over = shown && shown.over ? 'true' : 'false';
    if (shown && shown.over) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function submit() {
    if (!enabled) return;
    var value = input.value;
    if (value.trim() === '') return;
    var bytes = utf8ByteLength(value);
    if (bytes > maxBytes) {
      options.notify(t('tooLongBy', { over: bytes - maxBytes, max: maxBytes }));
      input.focus();
      return;
    }
    if (options.onSend(value)) {
      input.value = '';
      renderCounter();
    }
    input.focus();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    submit();
  });

  // Enter sends; Shift+Enter is the textarea's own new line. Not while an
  // input method is composing (Enter then picks the candidate).
  input.addEventListener('keydown', function (event) {
    if (isTypingKey(event)) options.onTyping(input.value);
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.defaultPrevented) return;
    event.preventDefault();
    submit();
  });
  input.addEventListener('input', renderCounter);

  function setEnabled(on) {
    enabled = on;
    options.sendButton.disabled = !on;
  }

  /** Puts back text the server refused, unless the user already typed something else. */
  function restore(text) {
    if (input.value !== '') return;
    input.value = text;
    renderCounter();
  }

  /** The room's limit, from the page's configuration. */
  function setMaxBytes(bytes) {
    maxBytes = bytes;
    renderCounter();
  }

  return { setEnabled: setEnabled, restore: restore, setMaxBytes: setMaxBytes, input: input };
}
