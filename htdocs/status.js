/*
 * webchat page: the connection status line in the header.
 */

// ---------------------------------------------------------------------- UI

/**
 * The connection state: a visible line (with a live countdown) and a
 * screen-reader announcement on real changes only, not every second.
 * States: the connection's, plus 'joining' (open, waiting for the room)
 * and 'waiting' (for the first nick).
 */
export function createStatusView(status, text, announcer, retryButton, t) {
  var ticker = null;
  var wasConnected = false;

  function secondsUntil(time) {
    return Math.max(1, Math.ceil((time - Date.now()) / 1000));
  }

  function announce(message) {
    if (announcer.textContent !== message) announcer.textContent = message;
  }

  function render(state, info) {
    clearInterval(ticker);
    ticker = null;
    status.dataset.state = state === 'joining' ? 'connecting' : state;
    retryButton.hidden = state !== 'reconnecting';

    if (state === 'connected') {
      text.textContent = info.relay ? t('connectedRelay') : t('connected');
      announce(t('announceConnected'));
    } else if (state === 'connecting') {
      text.textContent = t('connecting');
    } else if (state === 'joining') {
      text.textContent = t('joining');
    } else if (state === 'reconnecting') {
      var update = function () {
        text.textContent = t('reconnectingIn', { s: secondsUntil(info.retryAt) });
      };
      update();
      ticker = setInterval(update, 250);
      if (wasConnected) announce(t('announceLost'));
    } else if (state === 'offline') {
      text.textContent = t('offline');
      announce(t('announceOffline'));
    } else if (state === 'stopped') {
      text.textContent = t('stopped');
    } else if (state === 'waiting') {
      text.textContent = t('waitingNick');
    }
    wasConnected = state === 'connected';
  }

  return { render: render };
}

