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

/** The tab title: "(3) lobby · webchat" while the tab is hidden and messages came in. */
export function createTitle(t) {
  var base = document.title;
  var unread = 0;

  function render() {
    document.title = unread > 0 ? t('unreadTitle', { n: unread, title: base }) : base;
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && unread > 0) {
      unread = 0;
      render();
    }
  });

  return {
    setBase: function (title) { base = title; render(); },
    /** A message arrived: counts only while the tab is hidden. */
    bump: function () {
      if (document.visibilityState !== 'hidden') return;
      unread += 1;
      render();
    },
  };
}

