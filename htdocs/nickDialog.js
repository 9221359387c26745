/*
 * webchat page: the nickname dialog, and the button that brings it back
 * after it was closed without joining.
 */

import { cleanName, nickProblem } from './protocol.js';

/**
 * The nickname dialog (a modal <dialog>: focus moves into it and stays
 * there, Escape cancels). open(options) with
 *   first:   true for the first join: the second button joins as a guest
 *            (onGuest), said on it; Escape joins nobody (onCancel)
 *   value:   the nick to prefill
 *   error:   a message to show (e.g. the nick was taken)
 *   onDone(nick), onGuest(), onCancel()
 * Focus goes back to where it was (or to `returnFocus`) when it closes.
 */
export function createNickDialog(dialog, t) {
  var form = dialog.querySelector('form');
  var input = dialog.querySelector('#nick-input');
  var error = dialog.querySelector('#nick-error');
  var title = dialog.querySelector('#nick-title');
  var submit = dialog.querySelector('#nick-submit');
  var cancel = dialog.querySelector('#nick-cancel');
  var current = null;
  var GUEST = {}; // close()'s result for the guest button

  function showError(message) {
    error.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function close(result) {
    var options = current;
    if (!options) return;
    current = null;
    if (dialog.open) dialog.close();
    var target = options.returnFocus || options.openedFrom;
    if (target && document.contains(target) && !target.disabled) target.focus();
    if (result === GUEST) {
      options.onGuest();
    } else if (result === null) {
      if (options.onCancel) options.onCancel();
    } else {
      options.onDone(result);
    }
  }

  function open(options) {
    var reopened = current !== null;
    current = options;
    if (!reopened) current.openedFrom = document.activeElement;
    title.textContent = options.first ? t('nickTitleFirst') : t('nickTitleChange');
    submit.textContent = options.first ? t('nickJoin') : t('nickSave');
    cancel.textContent = options.first ? t('nickGuest') : t('cancel');
    input.value = options.value || '';
    showError(options.error || '');
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var nick = cleanName(input.value);
    var problem = nickProblem(nick);
    if (problem) {
      showError(t(problem));
      input.focus();
      return;
    }
    close(nick);
  });
  input.addEventListener('input', function () {
    if (error.textContent) showError('');
  });
  cancel.addEventListener('click', function () { close(current && current.first ? GUEST : null); });
  // Escape (the dialog's own cancel): close it ourselves, as Cancel would.
  dialog.addEventListener('cancel', function (event) {
    event.preventDefault();
    close(null);
  });
  // Closed some other way (the browser may force-close on repeated Escape).
  dialog.addEventListener('close', function () {
    if (current) close(null);
  });

  return { open: open, isOpen: function () { return current !== null; } };
}

/**
 * The "Join the room" button shown in place of the conversation while the
 * reader has closed the nickname dialog without joining. show(onJoin):
 * shows it (focused); a click hides it and calls onJoin.
 */
export function createJoinPrompt(button) {
  var onJoin = null;

  button.addEventListener('click', function () {
    var join = onJoin;
    hide();
    if (join) join();
  });

  function hide() {
    onJoin = null;
    button.hidden = true;
  }

  return {
    show: function (callback) {
      onJoin = callback;
      button.hidden = false;
      button.focus();
    },
    hide: hide,
  };
}
