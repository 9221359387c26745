/*
 * webchat page: the message log, its messages and notices as list items
 * (text only, never parsed as HTML), times in the reader's language, and
 * following new messages while the reader is at the bottom.
 */

import { continuesRun, speakerOf } from './grouping.js';
import { splitLinks } from './links.js';
import { splitMentions } from './mentions.js';
import { MAX_MESSAGES } from './roomStore.js';

const STICK_TO_BOTTOM_PX = 48; // "at the bottom" tolerance for auto-scroll

/** Times in the reader's time zone and language: "14:05", or with the day when not today. */
export function createTimeFormat(locale) {
  var time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  var dayAndTime = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  var full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' });

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  return {
    short: function (date) { return sameDay(date, new Date()) ? time.format(date) : dayAndTime.format(date); },
    full: function (date) { return full.format(date); },
  };
}

export function element(tag, className, text) {
  var el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function timeElement(date, format) {
  var time = element('time', 'msg-time', format.short(date));
  time.dateTime = date.toISOString();
  time.title = format.full(date);
  return time;
}

/** The mark beside a name a signed identity vouches for. */
export function verifiedMark(t) {
  var mark = element('span', 'verified-mark', '✓');
  mark.title = t('verified');
  mark.setAttribute('role', 'img');
  mark.setAttribute('aria-label', t('verified'));
  return mark;
}

/** Turns a message's list item into its tombstone: the text is gone, who removed it is said. */
export function showRemoved(item, by, t) {
  item.className = 'msg msg-removed';
  delete item.dataset.speaker;
  item.replaceChildren(element('p', 'msg-text', by ? t('removedBy', { by: by }) : t('removed')));
  // A run of the speaker's messages after it starts afresh, with the name.
  if (item.nextElementSibling) regroup(item.nextElementSibling);
}

/** A list item's place in a run of one speaker's messages (grouping.js): { speaker, time }, or null. */
function runMember(item) {
  if (!item || !item.dataset.speaker) return null;
  return { speaker: item.dataset.speaker, time: Number(item.dataset.time) };
}

/**
 * Shows or hides a message's name and time (kept for screen readers)
 * by whether it continues the run of the item before it.
 */
function regroup(item) {
  item.classList.toggle('msg-continued', continuesRun(runMember(item.previousElementSibling), runMember(item)));
}

/**
 * A moderator's menu for one message: a button (at the end of the
 * message's first line) that opens a group of actions under the text
 * (delete; for others' messages also kick, mute 10 min, ban one day), all
 * buttons, so Tab and Enter reach them; Escape closes it (see createChat).
 * The actions carry what the request needs in data-*.
 */
export function renderModeration(message, own, t) {
  var toggle = element('button', 'msg-moderation-toggle', '⋯');
  toggle.type = 'button';
  toggle.setAttribute('aria-label', t('messageActions', { nick: message.nick }));
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', 'moderation-' + message.id);
  var menu = element('div', 'msg-moderation-menu');
  menu.id = 'moderation-' + message.id;
  menu.setAttribute('role', 'group');
  menu.setAttribute('aria-label', t('messageActions', { nick: message.nick }));
  menu.hidden = true;
  var actions = own ? ['delete'] : ['delete', 'kick', 'mute', 'ban'];
  var labels = { delete: 'actionDelete', kick: 'actionKick', mute: 'actionMute', ban: 'actionBan' };
  actions.forEach(function (action) {
    var button = element('button', 'msg-moderation-action', t(labels[action], { nick: message.nick }));
    button.type = 'button';
    button.dataset.action = action;
    button.dataset.id = String(message.id);
    button.dataset.nick = message.nick;
    menu.appendChild(button);
  });
  return { toggle: toggle, menu: menu };
}

// What a link in a message may do: open in a new tab that cannot reach
// back to the page, without telling the target where it came from, and
// without vouching for it (the room's users wrote it).
const LINK_REL = 'noopener noreferrer nofollow ugc';

/** Plain text with each @mention of someone in nicks (mentions.js) marked; the reader's own more so. */
function appendWithMentions(container, text, nicks, ownNick) {
  splitMentions(text, nicks).forEach(function (part) {
    if (part.mention === undefined) {
      container.appendChild(document.createTextNode(part.text));
      return;
    }
    var mention = element('span', part.mention === ownNick ? 'mention mention-me' : 'mention', part.text);
    container.appendChild(mention);
  });
}

/**
 * A message's text as an element: text nodes, an <a> for each web address
 * in it (links.js decides which) and a mark on each @mention of someone in
 * nicks, built with DOM APIs.
 */
function messageText(tag, text, nicks, ownNick) {
  var container = element(tag, 'msg-text');
  splitLinks(text).forEach(function (part) {
    if (part.href === undefined) {
      appendWithMentions(container, part.text, nicks || [], ownNick);
      return;
    }
    var link = element('a', 'msg-link', part.text);
    link.href = part.href;
    link.target = '_blank';
    link.rel = LINK_REL;
    container.appendChild(link);
  });
  return container;
}

/**
 * One message as a list item. Text only: never parsed as HTML.
 * message: { text, date, nick?, own?, id?, verified?, deleted?, by?,
 * nicks?, ownNick?, mentionsMe? } (no nick: a relay message; deleted: a
 * tombstone; nicks: whose @mentions to mark; mentionsMe: it calls the
 * reader). moderator: the reader may moderate it (a menu of actions).
 */
export function renderMessage(message, format, t, moderator) {
  var item = element('li', 'msg');
  if (message.id) item.dataset.id = String(message.id);
  if (message.deleted) {
    showRemoved(item, message.by, t);
    return item;
  }
  if (message.nick === undefined) {
    item.classList.add('msg-plain');
    item.appendChild(timeElement(message.date, format));
    item.appendChild(messageText('span', message.text));
    return item;
  }
  if (message.own) item.classList.add('msg-own');
  if (message.mentionsMe) item.classList.add('msg-mention');
  item.dataset.nick = message.nick;
  var speaker = speakerOf(message);
  if (speaker !== null) {
    item.dataset.speaker = speaker;
    item.dataset.time = String(message.date.getTime());
  }
  var meta = element('p', 'msg-meta');
  meta.appendChild(element('span', 'msg-nick', message.nick));
  if (message.verified) meta.appendChild(verifiedMark(t));
  if (message.own) {
    meta.appendChild(document.createTextNode(' '));
    meta.appendChild(element('span', 'msg-you', t('you')));
  }
  meta.appendChild(document.createTextNode(' '));
  meta.appendChild(timeElement(message.date, format));
  var moderation = moderator && message.id ? renderModeration(message, message.own, t) : null;
  if (moderation) meta.appendChild(moderation.toggle);
  item.appendChild(meta);
  item.appendChild(messageText('p', message.text, message.nicks, message.ownNick));
  if (moderation) item.appendChild(moderation.menu);
  return item;
}

/** A notice (joins, leaves, gaps...) as a list item. */
export function renderNotice(text, date, format, kind) {
  var item = element('li', 'notice' + (kind ? ' notice-' + kind : ''));
  item.appendChild(timeElement(date, format));
  item.appendChild(document.createTextNode(' '));
  item.appendChild(element('span', 'notice-text', text));
  return item;
}

// Scrolled this close to the top, older messages are asked for.
const NEAR_TOP_PX = 80;

/**
 * The message log. Follows new messages while the reader is at the bottom;
 * if they scrolled up to read, it leaves the view alone and offers a
 * "New messages" button instead. Older messages come in at the top when the
 * reader scrolls there, or presses the "Older messages" button (for the
 * keyboard, and when the log is too short to scroll).
 */
export function createMessageList(list, jumpButton, olderButton) {
  var olderWanted = function () {};

  function isAtBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight <= STICK_TO_BOTTOM_PX;
  }

  function scrollToBottom() {
    list.scrollTop = list.scrollHeight;
    jumpButton.hidden = true;
  }

  function dropOldest(keepView) {
    while (list.childElementCount > MAX_MESSAGES) {
      var before = list.scrollHeight;
      list.firstElementChild.remove();
      if (keepView) list.scrollTop -= before - list.scrollHeight;
    }
    if (list.firstElementChild) regroup(list.firstElementChild);
  }

  /** Appends list items (several at once: one layout, one announcement). */
  function append(items) {
    if (!items.length) return;
    var follow = isAtBottom();
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) { fragment.appendChild(item); });
    list.appendChild(fragment);
    items.forEach(regroup);
    dropOldest(!follow);
    if (follow) scrollToBottom();
    else jumpButton.hidden = false;
  }

  function clear() {
    list.replaceChildren();
    jumpButton.hidden = true;
  }

  /** What the empty list says: nothing while joining, "Join to read..." before, "No messages yet." in the room. */
  function setEmptyText(text) {
    list.dataset.empty = text;
  }

  /**
   * Puts list items (older messages, oldest first) above the first one,
   * the view staying on what the reader was reading.
   */
  function prepend(items) {
    if (!items.length) return;
    var first = list.firstElementChild;
    var anchorTop = first ? first.getBoundingClientRect().top : 0;
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) { fragment.appendChild(item); });
    list.insertBefore(fragment, first);
    items.forEach(regroup);
    if (!first) return;
    regroup(first);
    // The item that was first stays where it was on the screen.
    list.scrollTop += first.getBoundingClientRect().top - anchorTop;
  }

  /** Shows the "Older messages" button while the room may hold older ones. */
  function setOlderAvailable(available) {
    olderButton.hidden = !available;
  }

  /** The list item of message id, if it is still shown. */
  function find(id) {
    return list.querySelector('li.msg[data-id="' + String(id) + '"]');
  }

  // Only the reader scrolling up asks (following new messages scrolls down).
  var lastScrollTop = 0;
  list.addEventListener('scroll', function () {
    if (isAtBottom()) jumpButton.hidden = true;
    var up = list.scrollTop < lastScrollTop;
    lastScrollTop = list.scrollTop;
    if (up && list.scrollTop <= NEAR_TOP_PX && !olderButton.hidden) olderWanted();
  });
  jumpButton.addEventListener('click', scrollToBottom);
  olderButton.addEventListener('click', function () { olderWanted(); });

  return {
    element: list,
    append: append,
    prepend: prepend,
    clear: clear,
    setEmptyText: setEmptyText,
    setOlderAvailable: setOlderAvailable,
    /** callback() asks for older messages (the reader is at the top). */
    onOlderWanted: function (callback) { olderWanted = callback; },
    scrollToBottom: scrollToBottom,
    find: find,
  };
}

