/*
 * webchat page: the chat itself, what the page does with each event in
 * room mode (the chat-room protocol) or relay mode (plain text: the
 * server sent no welcome).
 */

import * as roomEvents from './roomEvents.js';
import { createConnection } from './connection.js';
import { forgetIdentity, rememberNick, storedToken, storeToken } from './identity.js';
import { mentions } from './mentions.js';
import { renderMessage, renderNotice, showRemoved } from './messageView.js';
import {
  cleanName, decodeEvent, encodeChatMessage, encodeHistoryRequest, encodeNickChange, encodeRelayMessage, encodeTyping,
  isId, isString, nickErrorKey, nickProblem, roomSocketUrl, toMessage,
} from './protocol.js';
import { createRoomStore } from './roomStore.js';
import { createTypingList, createTypingSender, typingNotice } from './typing.js';

const WELCOME_TIMEOUT_MS = 1000; // no welcome this long after the socket opened: the plain relay
const HISTORY_PAGE_SIZE = 50; // older messages asked for at a time

// After a dropped connection the server may still hold the old one (until
// its ping times out) and refuse our nick as taken: keep retrying this long
// before asking for another nick. A nick remembered from an earlier visit
// gets a short grace (the previous page's socket closing).
const RESUME_NICK_GRACE_MS = 75000;
const STORED_NICK_GRACE_MS = 3000;

/**
 * The chat itself: what the page does with each event, in room mode (the
 * chat-room protocol) or relay mode (plain text; no welcome came).
 */
export function createChat(options) {
  var ui = options.ui;
  var t = options.t;
  var format = options.format;
  var locale = options.locale;
  var room = options.room;
  // The signed identity the embedding site handed over (a JWT), or null.
  var identity = options.identity;
  // Called after each welcome (the page is in a chat room, not the relay).
  var onJoined = options.onJoined || function () {};
  // rate_limited refusals counted while they keep coming (within the window).
  var RATE_REFUSED_WINDOW_MS = 5000;
  var rateRefused = 0;
  var rateRefusedTimer = null;
  var store = createRoomStore();
  var connection = null;
  var chatUrl = null;

  var requestedNick = null; // the nick we join with (null: a guest)
  var ownToken = null; // the nick token of this connection (the welcome's)
  var pendingNick = null; // a nick change we asked for
  var mode = null; // this connection: 'pending' (no welcome yet), 'room', 'relay'
  var welcomeTimer = null;
  var sentSince = 0; // the `since` of the current connection
  var sentEpoch = null; // and its `epoch`
  var welcomedOnce = false; // a welcome arrived on some connection
  var outage = false; // the room was lost and is not back yet
  var moreHistory = false; // the room may hold messages older than those shown
  var historyPending = false; // a page of older history was asked for
  // "is typing…": who else is (shown until 8 s after their last notice),
  // the timer that clears them, and what the reader's own typing sends.
  var typists = createTypingList();
  var typingTimer = null;
  var typingSender = createTypingSender(function () {
    if (mode === 'room') connection.send(encodeTyping());
  });
  // How long "nick taken" may be our own earlier connection, still in the
  // room: 0 for a nick just typed, a little for a remembered one, long when
  // resuming after a drop. nickGraceUntil: the deadline, once refused.
  var nickGraceMs = 0;
  var nickGraceUntil = 0;
  // Texts sent and not yet echoed, to put a refused one back in the input.
  // Errors may overtake echoes, so only when exactly one is outstanding.
  var unechoed = [];

  function now() {
    return new Date();
  }

  function notice(text, kind, date) {
    ui.messages.append([renderNotice(text, date || now(), format, kind)]);
  }

  function socketUrl() {
    sentSince = store.lastId();
    sentEpoch = sentSince > 0 ? store.epoch() : null;
    // A signed identity is who we are; without one, the nick's own token.
    var token = identity || (requestedNick ? storedToken(requestedNick) : null);
    return roomSocketUrl(chatUrl, room, requestedNick, token, sentSince, sentEpoch);
  }

  function renderUsers() {
    ui.users.render(store.users(), store.nick(), store.isVerified);
  }

  function setNickShown(nick) {
    ui.nickCurrent.textContent = nick || '';
    ui.nickButton.hidden = !nick;
  }

  function setMode(next) {
    mode = next;
    ui.app.dataset.mode = next || 'pending';
    var roomMode = next === 'room';
    ui.usersPanel.setAvailable(roomMode);
    if (next === 'relay') {
      ui.title.setBase('webchat');
      setNickShown(null);
      ui.topic.show('');
    } else if (roomMode) {
      ui.roomName.show(room);
    }
    if (next === 'relay' || roomMode) ui.messages.setEmptyText(t('noMessages'));
  }

  // ---- connection events

  function onState(state, info) {
    clearTimeout(welcomeTimer);
    if (state === 'connected') {
      // The socket is open; the room says hello first. If it does not, it
      // is the plain relay.
      mode = 'pending';
      ui.status.render('joining', {});
      ui.composer.setEnabled(false);
      welcomeTimer = setTimeout(enterRelayMode, WELCOME_TIMEOUT_MS);
      return;
    }
    // An outage leaves a trace in the conversation: a line when the room
    // (or relay) is lost, another when it is back (onWelcome, enterRelayMode).
    if ((mode === 'room' || mode === 'relay') && (state === 'reconnecting' || state === 'offline')) {
      notice(t('connectionLost'), 'connection');
      outage = true;
    }
    mode = null;
    typists.clear();
    renderTyping();
    ui.status.render(state, info);
    ui.composer.setEnabled(false);
  }

  /** The "reconnected" line, once per outage. */
  function endOutage() {
    if (!outage) return;
    outage = false;
    notice(t('reconnected'), 'connection');
  }

  function onMessage(data) {
    var event = decodeEvent(data);
    if (mode === 'pending' || mode === 'relay') {
      if (event && event.type === 'welcome') {
        onWelcome(event);
        return;
      }
      if (mode === 'pending' && event && event.type === 'error') {
        onJoinError(event);
        return;
      }
      if (mode === 'pending') enterRelayMode();
      onRelayText(data);
      return;
    }
    if (mode !== 'room') return;
    if (!event) {
      console.warn('webchat: ignoring a frame that is not a chat-room event');
      return;
    }
    switch (event.type) {
      case 'message': onChatMessage(event, true); break;
      case 'join': onJoin(event); break;
      case 'leave': onLeave(event); break;
      case 'nick': onNick(event); break;
      case 'error': onError(event); break;
      case 'welcome': onWelcome(event); break; // not expected twice; harmless
      case 'deleted': onDeleted(event); break;
      case 'topic': onTopic(event); break;
      case 'kicked': onKicked(event); break;
      case 'authenticated': onAuthenticated(event); break;
      case 'typing': onTyping(event); break;
      case 'history': onHistory(event); break;
      default: console.warn('webchat: ignoring an event of unknown type ' + JSON.stringify(event.type));
    }
  }

  // ---- relay mode

  function enterRelayMode() {
    clearTimeout(welcomeTimer);
    if (mode !== 'pending') return;
    setMode('relay');
    endOutage();
    ui.status.render('connected', { relay: true });
    ui.composer.setEnabled(true);
  }

  function onRelayText(data) {
    if (!isString(data)) return; // binary frames are not chat messages
    ui.messages.append([renderMessage({ text: data, date: now() }, format, t)]);
    ui.title.bump();
  }

  // ---- room mode

  function onWelcome(welcome) {
    clearTimeout(welcomeTimer);
    var wasRelay = mode === 'relay';
    setMode('room');
    store.setSelf(roomEvents.selfFromWelcome(welcome, requestedNick));
    var nick = store.nick();
    setNickShown(nick);
    ui.topic.show(roomEvents.toTopic(welcome).text);
    if (requestedNick && nick === requestedNick) rememberNick(nick);
    ownToken = isString(welcome.token) ? welcome.token : null;
    if (requestedNick && nick === requestedNick && ownToken) storeToken(nick, ownToken);
    nickGraceMs = RESUME_NICK_GRACE_MS; // from now on, a refusal may be our old connection
    nickGraceUntil = 0;
    unechoed = []; // what was sent before is in the history now, or lost

    var lastId = isId(welcome.lastId) ? welcome.lastId : 0;
    var history = Array.isArray(welcome.history) ? welcome.history.map(toMessage).filter(Boolean) : [];
    // Reset: the room we knew is gone (a restart without persistence, a
    // crash, a forgotten room): its epoch changed. Also when the room's
    // last id is below ours or its epoch is not ours, whatever the flag says.
    var epoch = isString(welcome.epoch) ? welcome.epoch : null;
    var reset = sentSince > 0 &&
      (welcome.reset === true || lastId < sentSince || (sentEpoch !== null && epoch !== null && epoch !== sentEpoch));
    if (reset || wasRelay) {
      store.clearMessages();
      ui.messages.clear();
    }
    store.setEpoch(epoch);
    if (reset) {
      notice(t('reset'), 'warning');
      // The history should hold the room's messages up to lastId; if it
      // stops short (only those "after since"), join again without since.
      var newest = history.length ? history[history.length - 1].id : 0;
      if (lastId > newest) {
        connection.restart();
        return;
      }
    }
    var gap = welcome.gap;
    if (gap && typeof gap === 'object' && isId(gap.from) && isId(gap.to)) {
      notice(t(gap.from === gap.to ? 'gapOne' : 'gap', { from: gap.from, to: gap.to }), 'warning');
    }
    appendMessages(history, false);
    historyPending = false; // an answer to a request of the last connection does not come
    setMoreHistory(true);
    store.setUsers(Array.isArray(welcome.users) ? welcome.users : [], welcome.verifiedIndexes);
    if (nick) store.addUser(nick, store.self().verified);
    renderUsers();
    if (!welcomedOnce) notice(t('youJoined', { room: room, nick: nick }));
    endOutage();
    welcomedOnce = true;
    onJoined();
    ui.status.render('connected', {});
    ui.composer.setEnabled(true);
  }

  /** A message (or tombstone) as the reader sees it: { item, mine, mentionsMe }. */
  function renderForReader(message) {
    var self = store.self();
    if (message.deleted) return { item: renderMessage(message, format, t, false), mine: false, mentionsMe: false };
    var mine = roomEvents.isOwn(message, self);
    var mentionsMe = !mine && mentions(message.text, self.nick);
    var shown = {
      id: message.id, nick: message.nick, text: message.text, date: message.date, own: mine, verified: message.verified,
      nicks: store.users(), ownNick: self.nick, mentionsMe: mentionsMe,
    };
    return { item: renderMessage(shown, format, t, self.moderator), mine: mine, mentionsMe: mentionsMe };
  }

  function appendMessages(events, live) {
    var items = [];
    events.forEach(function (message) {
      if (!store.addMessage(message.id)) return; // already shown
      var shown = renderForReader(message);
      items.push(shown.item);
      if (!live || message.deleted) return;
      if (shown.mine) {
        var sent = unechoed.indexOf(message.text);
        if (sent !== -1) unechoed.splice(sent, 1);
      } else {
        ui.title.bump(shown.mentionsMe);
      }
      stoppedTyping(message.nick);
      if (shown.mentionsMe) ui.mentionNotifier.notify(message.nick, message.text, room);
    });
    ui.messages.append(items);
  }

  // ---- older history: scrolling to the top (or the button there) asks
  // for the page before the oldest message shown.

  /** Whether the room may hold messages older than those shown (the first message has id 1). */
  function setMoreHistory(more) {
    moreHistory = more && store.oldestId() > 1;
    ui.messages.setOlderAvailable(moreHistory);
  }

  function loadOlder() {
    if (mode !== 'room' || !moreHistory || historyPending) return;
    historyPending = true;
    connection.send(encodeHistoryRequest(store.oldestId(), HISTORY_PAGE_SIZE));
  }

  function onHistory(event) {
    historyPending = false;
    var messages = Array.isArray(event.messages) ? event.messages.map(toMessage).filter(Boolean) : [];
    ui.messages.prepend(store.takeOlder(messages).map(function (message) { return renderForReader(message).item; }));
    setMoreHistory(event.more === true);
  }

  /** A moderator deleted a message: its item becomes a tombstone (if it is still shown). */
  function onDeleted(event) {
    var tombstone = roomEvents.toTombstone(event);
    var item = tombstone && ui.messages.find(tombstone.id);
    if (item) showRemoved(item, tombstone.by, t);
  }

  function onTopic(event) {
    var topic = roomEvents.toTopic(event);
    ui.topic.show(topic.text);
    notice(topic.text ? t('topicSet', { by: topic.by, text: topic.text }) : t('topicCleared', { by: topic.by }), 'topic', eventDate(event));
  }

  /** Removed by a moderator: the close (4403) follows; the page does not come back by itself. */
  function onKicked(event) {
    var kicked = roomEvents.kickedNotice(event);
    endSession(t(kicked.key, kicked.params));
  }

  /** A signed identity replaced the guest's (an auth frame): who one is changes, the nick stays. */
  function onAuthenticated(event) {
    var nick = store.nick();
    store.setSelf(roomEvents.selfFromWelcome({ nick: nick, from: event.from, roles: event.roles, verified: event.verified }, nick));
    if (nick) store.addUser(nick, store.self().verified);
    renderUsers();
  }

  /** A refusal that reconnecting would only repeat (kicked, banned, not signed in): said, and no retry. */
  function endSession(text) {
    connection.stop();
    ui.composer.setEnabled(false);
    notice(text, 'error');
  }

  function onChatMessage(event, live) {
    var message = toMessage(event);
    if (!message) {
      console.warn('webchat: ignoring a malformed message event');
      return;
    }
    appendMessages([message], live);
  }

  function eventDate(event) {
    return typeof event.ts === 'number' && isFinite(event.ts) ? new Date(event.ts) : now();
  }

  /** Shows who is typing now, and clears them when their time is up. */
  function renderTyping() {
    clearTimeout(typingTimer);
    var at = Date.now();
    var shown = typingNotice(typists.current(at));
    ui.typing.show(shown ? t(shown.key, shown.params) : '');
    var next = typists.nextExpiry(at);
    typingTimer = next === null ? null : setTimeout(renderTyping, next - at);
  }

  function onTyping(event) {
    if (!isString(event.nick) || event.nick === store.nick()) return;
    typists.add(event.nick, Date.now());
    renderTyping();
  }

  /** Someone stopped typing (their message or leave arrived). */
  function stoppedTyping(nick) {
    if (typists.remove(nick)) renderTyping();
  }

  function onJoin(event) {
    if (!isString(event.nick)) return;
    store.addUser(event.nick, event.verified === true);
    renderUsers();
    notice(t('joined', { nick: event.nick }), 'join', eventDate(event));
  }

  function onLeave(event) {
    if (!isString(event.nick)) return;
    store.removeUser(event.nick);
    renderUsers();
    stoppedTyping(event.nick);
    notice(t('left', { nick: event.nick }), 'leave', eventDate(event));
  }

  function onNick(event) {
    if (!isString(event.old) || !isString(event.nick)) return;
    store.renameUser(event.old, event.nick, event.verified === true);
    typists.rename(event.old, event.nick);
    if (event.old === store.nick()) {
      store.setNick(event.nick);
      setNickShown(event.nick);
      requestedNick = event.nick; // rejoin under the new nick
      rememberNick(event.nick);
      // The server keeps the new nick for our token too.
      if (ownToken) storeToken(event.nick, ownToken);
      pendingNick = null;
      notice(t('youRenamed', { nick: event.nick }), 'nick', eventDate(event));
    } else {
      notice(t('renamed', { old: event.old, nick: event.nick }), 'nick', eventDate(event));
    }
    renderUsers();
  }

  /** An error before the welcome: the join was refused and a close frame follows. */
  function onJoinError(event) {
    var code = event.code;
    var refusal = roomEvents.refusalNotice(event, locale, requestedNick);
    if (refusal && roomEvents.endsSession(code)) {
      // A refused identity is not offered again: a reload joins as a guest.
      if (code === 'unauthorized') forgetIdentity();
      endSession(t(refusal.key, refusal.params));
      return;
    }
    if (nickErrorKey(code)) {
      // Our own earlier connection may still be in the room: wait for it.
      if (code === 'nick_taken' && nickGraceMs > 0) {
        if (!nickGraceUntil) {
          nickGraceUntil = Date.now() + nickGraceMs;
          if (nickGraceMs === RESUME_NICK_GRACE_MS) ui.toast.show(t('nickGhost'));
        }
        if (Date.now() < nickGraceUntil) return; // the close follows; the connection retries with backoff
      }
      nickGraceMs = 0;
      nickGraceUntil = 0;
      connection.stop();
      ui.askToJoin(requestedNick, t(nickErrorKey(code), { nick: requestedNick }), function (nick) { joinAs(nick, false); });
      return;
    }
    if (code === 'invalid_room') {
      connection.stop();
      notice(t('invalidRoom', { room: room }), 'error');
      return;
    }
    if (code === 'invalid_since' || code === 'invalid_epoch') {
      // Start afresh: the next attempt asks for the whole history.
      store.clearMessages();
      ui.messages.clear();
      return;
    }
    if (code === 'room_full') ui.toast.show(t('roomFull'));
    else if (code === 'too_many_rooms') ui.toast.show(t('tooManyRooms'));
    else if (code === 'unavailable') ui.toast.show(t('joinUnavailable'));
    else showServerError(event);
  }

  /** An error in the room: the request was refused; the connection stays unless a close follows. */
  function onError(event) {
    var code = event.code;
    var refusal = roomEvents.refusalNotice(event, locale, pendingNick);
    if (refusal && roomEvents.endsSession(code)) {
      if (code === 'unauthorized') forgetIdentity();
      endSession(t(refusal.key, refusal.params));
    } else if (code === 'muted' || code === 'slow_mode') {
      ui.toast.show(t(refusal.key, refusal.params));
      if (unechoed.length === 1) ui.composer.restore(unechoed.pop());
    } else if (code === 'forbidden' || code === 'token_expired') {
      ui.toast.show(t(refusal.key, refusal.params));
    } else if (code === 'rate_limited') {
      // One error per refused frame: a burst is counted, not called "the
      // last one".
      rateRefused += 1;
      clearTimeout(rateRefusedTimer);
      rateRefusedTimer = setTimeout(function () { rateRefused = 0; }, RATE_REFUSED_WINDOW_MS);
      ui.toast.show(rateRefused === 1 ? t('rateLimited') : t('rateLimitedMany', { count: rateRefused }));
    } else if (code === 'too_long') {
      ui.toast.show(t('tooLong'));
      if (unechoed.length === 1) ui.composer.restore(unechoed.pop());
    } else if (nickErrorKey(code)) {
      var wanted = pendingNick;
      pendingNick = null;
      askNick({
        first: false,
        value: wanted || store.nick(),
        error: t(nickErrorKey(code), { nick: wanted || '' }),
        onDone: changeNick,
      });
    } else if (code === 'nick_rate_limited') {
      pendingNick = null;
      ui.toast.show(t('nickRateLimited'));
    } else if (code === 'flooding') {
      ui.toast.show(t('flooding'));
    } else if (code === 'delayed') {
      // Queued on the server: the echo comes when the servers reconnect.
      ui.toast.show(t('delayed'));
    } else if (code === 'unavailable') {
      ui.toast.show(t('unavailable'));
      if (unechoed.length === 1) ui.composer.restore(unechoed.pop());
    } else if (code === 'history_reset') {
      // The room started afresh elsewhere: joining again with since and
      // our epoch gets a welcome that says reset.
      connection.restart();
    } else if (code === 'bad_request') {
      console.warn('webchat: the server refused a request: ' + event.message);
      ui.toast.show(t('badRequest'));
    } else {
      showServerError(event);
    }
  }

  function showServerError(event) {
    var message = isString(event.message) && event.message ? event.message : String(event.code);
    ui.toast.show(t('serverError', { message: message }));
  }

  // ---- nicknames

  function askNick(dialogOptions) {
    ui.nickDialog.open(dialogOptions);
  }

  /** (Re)joins the room as `nick` (null: a guest). */
  function joinAs(nick, fromStorage) {
    requestedNick = nick;
    nickGraceMs = fromStorage ? STORED_NICK_GRACE_MS : 0;
    nickGraceUntil = 0;
    if (connection) connection.start();
  }

  function changeNick(nick) {
    if (nick === store.nick()) return;
    if (mode !== 'room') {
      // Not in a room right now: join under the new nick next time.
      requestedNick = nick;
      nickGraceMs = 0;
      return;
    }
    pendingNick = nick;
    connection.send(encodeNickChange(nick));
  }

  /** The nick button and `/nick` with nothing after it. */
  function openNickChange() {
    if (mode !== 'room') return;
    askNick({ first: false, value: store.nick(), onDone: changeNick });
  }

  // ---- sending

  /** What the composer sends: a message, or `/nick NAME` in a room. False if it could not go out. */
  function send(text) {
    if (!connection) return false;
    if (mode === 'relay') return connection.send(encodeRelayMessage(text));
    if (mode !== 'room') return false;
    var command = /^\/nick(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (command) {
      var nick = cleanName(command[1] || '');
      if (nick === '') {
        openNickChange();
        return true;
      }
      var problem = nickProblem(nick);
      if (problem) {
        ui.toast.show(t(problem));
        return false;
      }
      changeNick(nick);
      return true;
    }
    if (!connection.send(encodeChatMessage(text))) return false;
    typingSender.reset();
    unechoed.push(text);
    if (unechoed.length > 20) unechoed.shift();
    ui.messages.scrollToBottom(); // you just spoke: follow the conversation
    return true;
  }

  // ---- moderation: the menus renderModeration puts on messages

  function moderationRequest(button) {
    var nick = button.dataset.nick;
    switch (button.dataset.action) {
      case 'delete': return roomEvents.encodeDelete(Number(button.dataset.id));
      case 'kick': return roomEvents.encodeKick(nick);
      case 'mute': return roomEvents.encodeMute(nick);
      case 'ban': return roomEvents.encodeBan(nick);
      default: return null;
    }
  }

  /** Opens (focus on its first action) or closes the menu of toggle. */
  function setMenuOpen(toggle, open) {
    var menu = document.getElementById(toggle.getAttribute('aria-controls'));
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    menu.hidden = !open;
    if (open) menu.querySelector('button').focus();
  }

  ui.messages.onOlderWanted(loadOlder);

  ui.messages.element.addEventListener('click', function (event) {
    var button = event.target.closest('button');
    if (!button) return;
    if (button.classList.contains('msg-moderation-toggle')) {
      setMenuOpen(button, button.getAttribute('aria-expanded') !== 'true');
      return;
    }
    if (!button.classList.contains('msg-moderation-action')) return;
    var toggle = button.closest('.msg').querySelector('.msg-moderation-toggle');
    var request = moderationRequest(button);
    if (request && mode === 'room') connection.send(request);
    setMenuOpen(toggle, false);
    toggle.focus();
  });

  // Escape in an open menu closes it, back on its button.
  ui.messages.element.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var item = event.target.closest('.msg');
    var toggle = item && item.querySelector('.msg-moderation-toggle');
    if (!toggle || toggle.getAttribute('aria-expanded') !== 'true') return;
    event.preventDefault();
    setMenuOpen(toggle, false);
    toggle.focus();
  });

  /**
   * Moves to another room on the same connection settings, without a
   * reload: what was shown of this one goes, the socket is opened anew
   * for the other (the nick and its token stay).
   */
  function switchRoom(next) {
    if (next === room) return;
    room = next;
    ui.roomName.show(room);
    store.clearMessages();
    store.setUsers([], []);
    renderUsers();
    ui.messages.clear();
    ui.messages.setEmptyText('');
    ui.topic.show('');
    typists.clear();
    renderTyping();
    setMoreHistory(false);
    historyPending = false;
    unechoed = [];
    welcomedOnce = false; // "You joined <room>" again
    outage = false;
    if (connection) connection.restart();
  }

  /** Starts once the endpoint is known and we have a nick (or chose to be a guest). */
  function start(url) {
    chatUrl = url;
    connection = createConnection(socketUrl, { onState: onState, onMessage: onMessage });
    return connection;
  }

  return {
    start: start,
    joinAs: joinAs,
    send: send,
    openNickChange: openNickChange,
    switchRoom: switchRoom,
    room: function () { return room; },
    /** Whether the page is in a chat room now (welcomed, connected). */
    inRoom: function () { return mode === 'room'; },
    /** A key press in the message box that types something (typing.js isTypingKey). */
    typed: function (text) {
      if (mode === 'room' && text.charAt(0) !== '/') typingSender.typed(Date.now());
    },
    /** The nicks of the others in the room, for the @mention picker. */
    presentNicks: function () {
      var own = store.nick();
      return mode === 'room' ? store.users().filter(function (nick) { return nick !== own; }) : [];
    },
    retryNow: function () { if (connection) connection.retryNow(); },
  };
}
