/*
 * webchat page: the message box and its Send button.
 */

/** The input and Send button. Enter submits the form; empty text is not sent. */
export function createComposer(form, input, sendButton, onSend) {
  var enabled = false;

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (!enabled) return;
    var value = input.value;
    if (value.trim() === '') return;
    if (onSend(value)) input.value = '';
    input.focus();
  });

  function setEnabled(on) {
    enabled = on;
    sendButton.disabled = !on;
  }

  /** Puts back text the server refused, unless the user already typed something else. */
  function restore(text) {
    if (input.value === '') input.value = text;
  }

  return { setEnabled: setEnabled, restore: restore };
}

