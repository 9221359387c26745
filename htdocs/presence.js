/*
 * webchat page: who is in the room, as a list and a side panel, and who
 * is typing.
 */

import { element, verifiedMark } from './messageView.js';

/** The member list: sorted for the reader's language, one's own nick marked. */
export function createUserList(list, count, toggleText, t, locale) {
  var collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });

  function render(users, ownNick, isVerified) {
    var sorted = users.slice().sort(collator.compare);
    list.replaceChildren.apply(list, sorted.map(function (name) {
      var item = element('li', 'user');
      item.appendChild(element('span', 'user-name', name));
      if (isVerified(name)) item.appendChild(verifiedMark(t));
      if (name === ownNick) {
        item.classList.add('user-own');
        item.appendChild(document.createTextNode(' '));
        item.appendChild(element('span', 'user-you', t('you')));
      }
      return item;
    }));
    count.textContent = '(' + sorted.length + ')';
    toggleText.textContent = t('peopleToggle', { n: sorted.length });
  }

  return { render: render };
}

/** The member list as a side panel; on small screens a button shows and hides it. */
export function createUsersPanel(app, panel, toggle) {
  function setOpen(open) {
    app.classList.toggle('users-open', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  toggle.addEventListener('click', function () {
    setOpen(!app.classList.contains('users-open'));
  });

  return {
    setAvailable: function (on) {
      panel.hidden = !on;
      toggle.hidden = !on;
      if (!on) setOpen(false);
    },
    /** Escape: closes it if open; true if it did. */
    closeIfOpen: function () {
      if (!app.classList.contains('users-open') || getComputedStyle(toggle).display === 'none') return false;
      setOpen(false);
      toggle.focus();
      return true;
    },
  };
}

/**
 * The "Alice is typing…" line under the messages: a polite live region,
 * so screen readers hear it when nothing else is being said.
 */
export function createTypingView(line) {
  return {
    show: function (text) {
      if (line.textContent !== text) line.textContent = text;
    },
  };
}
