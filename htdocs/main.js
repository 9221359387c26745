/*
 * webchat page: the entry point (a module script, so it runs once the
 * document is parsed). It finds the page's elements, builds each part and
 * wires them together: the chat starts once the endpoint is known and the
 * reader has a nick (or chose to be a guest).
 *
 * The page is served with a strict Content-Security-Policy (script-src
 * 'self'): these modules are the only scripts and none builds markup from
 * strings. The room is named in the page URL's query:
 *   http://host:8080/?room=H%C3%A0%20N%E1%BB%99i   (room "Hà Nội")
 *   http://host:8080/                             (room "lobby")
 */

import * as roomEvents from './roomEvents.js';
import { createChat } from './chat.js';
import { createComposer } from './composer.js';
import { loadPageConfig } from './endpoint.js';
import { createI18n } from './i18n.js';
import { storedNickname, takeIdentity } from './identity.js';
import { createMentionPicker } from './mentionPicker.js';
import { createMessageList, createTimeFormat, renderNotice } from './messageView.js';
import { createJoinPrompt, createNickDialog } from './nickDialog.js';
import { createMentionNotifier, createTitle, createToast } from './notifications.js';
import { createTypingView, createUserList, createUsersPanel } from './presence.js';
import { roomFromLocation, roomProblem } from './protocol.js';
import { createRoomNameView, createTopicView } from './roomHeader.js';
import { createRoomsPanel, roomHref } from './rooms.js';
import { createStatusView } from './status.js';

function main() {
  var byId = document.getElementById.bind(document);
  var i18n = createI18n(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
  var t = i18n.t;
  i18n.apply(document);

  var room = roomFromLocation(window.location);

  var app = byId('app');
  var ui = {
    app: app,
    messageInput: byId('message'),
    nickButton: byId('nick-button'),
    nickCurrent: byId('nick-current'),
    messages: createMessageList(byId('messages'), byId('jump'), byId('older')),
    typing: createTypingView(byId('typing')),
    users: createUserList(byId('users'), byId('users-count'), byId('users-toggle-text'), t, i18n.locale),
    usersPanel: createUsersPanel(app, byId('users-panel'), byId('users-toggle')),
    status: createStatusView(byId('status'), byId('status-text'), byId('status-announcer'), byId('retry'), t),
    nickDialog: createNickDialog(byId('nick-dialog'), t),
    joinPrompt: createJoinPrompt(byId('join')),
    toast: createToast(byId('toast')),
    topic: createTopicView(byId('topic'), byId('topic-text')),
    title: createTitle(t),
    roomName: null,
    mentionNotifier: createMentionNotifier(byId('notify'), t),
    composer: null,
  };
  ui.roomName = createRoomNameView(byId('room-name'), ui.title, t);
  ui.roomName.show(room);

  /**
   * Asks how to join while not in the room (first, or after a refused
   * nick): "Join" with a nick, or "Join as a guest" (onJoin(null)).
   * Escape closes the dialog and joins nobody: the room says "Join to read
   * the conversation" and a button opens the dialog again.
   */
  ui.askToJoin = function askToJoin(value, error, onJoin) {
    function joining(nick) {
      ui.messages.setEmptyText(t('noMessages'));
      onJoin(nick);
    }
    ui.status.render('waiting', {});
    ui.messages.setEmptyText(t('joinToRead'));
    ui.nickDialog.open({
      first: true,
      returnFocus: ui.messageInput,
      value: value,
      error: error,
      onDone: joining,
      onGuest: function () { joining(null); },
      onCancel: function () { ui.joinPrompt.show(function () { askToJoin(value, '', onJoin); }); },
    });
  };

  var identity = takeIdentity();
  // The room list is asked for once the page is in a chat room: the relay,
  // or a chat server that is down, has none to give (and a failed fetch is a
  // console error the page cannot silence).
  var roomList = null; // { url, policy } once the page's config is known
  var roomsStarted = false;
  function startRoomList() {
    if (!roomList) return;
    if (!roomsStarted) rooms.start(roomList.url, roomList.policy, chat.inRoom);
    else rooms.refresh();
    roomsStarted = true;
  }
  var chat = createChat({
    ui: ui, t: t, format: createTimeFormat(i18n.locale), locale: i18n.locale, room: room, identity: identity, onJoined: startRoomList,
  });
  // Before the composer: the picker's Enter and Tab come first.
  createMentionPicker(byId('message'), byId('mention-list'), chat.presentNicks);
  ui.composer = createComposer({
    form: byId('composer'),
    input: byId('message'),
    sendButton: byId('send'),
    counter: byId('message-count'),
    t: t,
    onSend: chat.send,
    onTyping: chat.typed,
    notify: ui.toast.show,
  });
  byId('nick-button').addEventListener('click', chat.openNickChange);
  byId('retry').addEventListener('click', chat.retryNow);
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape' || event.defaultPrevented || ui.nickDialog.isOpen()) return;
    if (ui.usersPanel.closeIfOpen()) event.preventDefault();
    else if (ui.toast.isShown()) ui.toast.hide();
  });

  if (roomProblem(room)) {
    ui.status.render('stopped', {});
    ui.messages.append([renderNotice(t('invalidRoom', { room: room }), new Date(), createTimeFormat(i18n.locale), 'error')]);
    return;
  }

  // The nick (remembered, or asked once) and the endpoint, in parallel.
  var nickReady = new Promise(function (resolve) {
    // A signed identity with a name chats under it: nothing to ask.
    var named = roomEvents.identityName(identity);
    if (named) {
      resolve({ nick: named, stored: false });
      return;
    }
    var remembered = storedNickname();
    if (remembered) {
      resolve({ nick: remembered, stored: true });
      return;
    }
    ui.askToJoin('', '', function (nick) { resolve({ nick: nick, stored: false }); });
  });

  // The room list; a room chosen there (or by Back and Forward) is switched
  // to without a reload.
  var rooms = createRoomsPanel({
    list: byId('room-list'), form: byId('room-form'), input: byId('room-input'), copyButton: byId('copy-link'),
  }, t, ui.toast.show, chat.room, function (next) {
    if (next === chat.room()) return;
    window.history.pushState(null, '', roomHref(next));
    chat.switchRoom(next);
    rooms.refresh();
  });
  window.addEventListener('popstate', function () {
    chat.switchRoom(roomFromLocation(window.location));
    rooms.refresh();
  });

  Promise.all([loadPageConfig(), nickReady]).then(function (ready) {
    var url = ready[0].chatUrl;
    byId('status').title = url;
    ui.composer.setMaxBytes(ready[0].maxTextBytes);
    roomList = { url: url, policy: ready[0].policy };
    chat.start(url);
    chat.joinAs(ready[1].nick, ready[1].stored);
  });
}

main();
