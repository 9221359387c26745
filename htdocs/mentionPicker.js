/*
 * webchat page: the nick picker of the message box. Typing "@" offers the
 * nicks of the people present (those starting with what follows it), as
 * a listbox under the ARIA combobox pattern: ArrowDown and ArrowUp move,
 * Enter or Tab put "@nick " in the text, Escape closes it; a click does
 * too. Created before the composer, so its keys come first: an Enter it
 * takes does not send.
 */

import { insertMention, mentionCandidates, mentionQuery } from './mentions.js';

/** input: the textarea; list: an empty <ul>; presentNicks(): the others in the room. */
export function createMentionPicker(input, list, presentNicks) {
  var options = [];
  var active = 0;
  var query = null;

  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  list.setAttribute('role', 'listbox');

  function isOpen() {
    return !list.hidden;
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    query = null;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function renderActive() {
    Array.prototype.forEach.call(list.children, function (item, i) {
      item.setAttribute('aria-selected', i === active ? 'true' : 'false');
    });
    input.setAttribute('aria-activedescendant', list.id + '-' + active);
  }

  function update() {
    query = input.selectionStart === input.selectionEnd ? mentionQuery(input.value, input.selectionStart) : null;
    options = query ? mentionCandidates(query.query, presentNicks()) : [];
    if (options.length === 0) {
      close();
      return;
    }
    active = Math.min(active, options.length - 1);
    list.replaceChildren.apply(list, options.map(function (nick, i) {
      var item = document.createElement('li');
      item.id = list.id + '-' + i;
      item.className = 'mention-option';
      item.setAttribute('role', 'option');
      item.textContent = nick;
      item.addEventListener('mousedown', function (event) {
        event.preventDefault(); // the box keeps the focus
        accept(i);
      });
      return item;
    }));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    renderActive();
  }

  function accept(index) {
    var result = insertMention(input.value, query.start, input.selectionStart, options[index]);
    input.value = result.value;
    input.setSelectionRange(result.caret, result.caret);
    close();
    input.dispatchEvent(new Event('input', { bubbles: true })); // the byte counter
  }

  input.addEventListener('keydown', function (event) {
    if (!isOpen() || event.isComposing) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      active = (active + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
      renderActive();
    } else if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
      event.preventDefault();
      accept(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener('input', function (event) {
    if (!event.isTrusted) return; // accept()'s own, for the byte counter
    active = 0;
    update();
  });
  input.addEventListener('click', update);
  input.addEventListener('blur', close);

  return { close: close };
}
