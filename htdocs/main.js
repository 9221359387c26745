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
import { loadChatUrl } from './endpoint.js';
import { createI18n } from './i18n.js';
import { storedNickname, takeIdentity } from './identity.js';
import { createMessageList, createTimeFormat, renderNotice } from './messageView.js';
import { createNickDialog } from './nickDialog.js';
import { createTitle, createToast } from './notifications.js';
import { createUserList, createUsersPanel } from './presence.js';
import { roomFromLocation, roomProblem } from './protocol.js';
import { createTopicView } from './roomHeader.js';
import { createStatusView } from './status.js';

function main() {
  var byId = document.getElementById.bind(document);
  var i18n = createI18n(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
  var t = i18n.t;
  i18n.apply(document);

  var room = roomFromLocation(window.location);
  byId('room-name').textContent = room;
  document.title = t('pageTitle', { room: room });

  var app = byId('app');
  var ui = {
    app: app,
    messageInput: byId('message'),
    nickButton: byId('nick-button'),
    nickCurrent: byId('nick-current'),
    messages: createMessageList(byId('messages'), byId('jump')),
    users: createUserList(byId('users'), byId('users-count'), byId('users-toggle-text'), t, i18n.locale),
    usersPanel: createUsersPanel(app, byId('users-panel'), byId('users-toggle')),
    status: createStatusView(byId('status'), byId('status-text'), byId('status-announcer'), byId('retry'), t),
    nickDialog: createNickDialog(byId('nick-dialog'), t),
    toast: createToast(byId('toast')),
    topic: createTopicView(byId('topic'), byId('topic-text')),
    title: createTitle(t),
    composer: null,
  };

  var identity = takeIdentity();
  var chat = createChat({ ui: ui, t: t, format: createTimeFormat(i18n.locale), locale: i18n.locale, room: room, identity: identity });
  ui.composer = createComposer(byId('composer'), byId('message'), byId('send'), chat.send);
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
    ui.status.render('waiting', {});
    ui.nickDialog.open({
      first: true,
      returnFocus: ui.messageInput,
      onDone: function (nick) { resolve({ nick: nick, stored: false }); },
      onCancel: function () { resolve({ nick: null, stored: false }); },
    });
  });

  Promise.all([loadChatUrl(), nickReady]).then(function (ready) {
    var url = ready[0];
    byId('status').title = url;
    chat.start(url);
    chat.joinAs(ready[1].nick, ready[1].stored);
  });
}

main();
