/*
 * webchat page: what tells the reader something happened: a toast over the
 * messages and the unread count in the tab's title.
 */

const TOAST_MS = 6000;
/** A short notice over the messages that goes away by itself (or with Escape). */
export function createToast(toast) {
  var timer = null;

  function hide() {
    clearTimeout(timer);
    toast.textContent = '';
  }

  function show(text) {
    clearTimeout(timer);
    toast.textContent = text;
    timer = setTimeout(hide, TOAST_MS);
  }

  return { show: show, hide: hide, isShown: function () { return toast.textContent !== ''; } };
}

/**
 * The tab title: "(3) lobby · webchat" while the tab is hidden and messages
 * came in, "(3 · @1) lobby · webchat" when one of them mentions the reader.
 */
export function createTitle(t) {
  var base = document.title;
  var unread = 0;
  var mentioned = 0;

  function render() {
    if (mentioned > 0) document.title = t('mentionTitle', { n: unread, m: mentioned, title: base });
    else if (unread > 0) document.title = t('unreadTitle', { n: unread, title: base });
    else document.title = base;
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && unread > 0) {
      unread = 0;
      mentioned = 0;
      render();
    }
  });

  return {
    setBase: function (title) { base = title; render(); },
    /** A message arrived (mention: it calls the reader): counts only while the tab is hidden. */
    bump: function (mention) {
      if (document.visibilityState !== 'hidden') return;
      unread += 1;
      if (mention) mentioned += 1;
      render();
    },
  };
}

const NOTIFY_STORAGE_KEY = 'webchat.notifyMentions';

/**
 * Desktop notifications of mentions, opt-in: the button asks the browser's
 * permission when pressed (never on load) and turns them on and off (the
 * choice is remembered). notify() shows one only while the page is hidden.
 */
export function createMentionNotifier(button, t) {
  var supported = typeof window.Notification === 'function';
  var on = false;
  try {
    on = window.localStorage.getItem(NOTIFY_STORAGE_KEY) === 'on';
  } catch (e) {
    // storage disabled: off until pressed
  }

  function render() {
    var active = on && supported && window.Notification.permission === 'granted';
    button.setAttribute('aria-pressed', active ? 'true' : 'false');
    // A bell on the button (bell.svg); what it does, for screen readers and on hover.
    button.setAttribute('aria-label', t('notifyMentions'));
    button.title = t(active ? 'notifyOn' : 'notifyOff');
  }

  function remember(value) {
    on = value;
    try {
      window.localStorage.setItem(NOTIFY_STORAGE_KEY, value ? 'on' : 'off');
    } catch (e) {
      // storage disabled: for this page only
    }
    render();
  }

  button.hidden = !supported;
  if (supported) render();
  button.addEventListener('click', function () {
    if (on && window.Notification.permission === 'granted') {
      remember(false);
      return;
    }
    Promise.resolve(window.Notification.requestPermission()).then(function (permission) {
      remember(permission === 'granted');
    });
  });

  return {
    /** A message from `nick` mentions the reader. */
    notify: function (nick, text, room) {
      if (!on || !supported || window.Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
      try {
        new window.Notification(t('mentionNotice', { nick: nick, room: room }), { body: text, tag: 'webchat-mention' });
      } catch (e) {
        // some browsers (Android Chrome) only notify from a service worker
      }
    },
  };
}

