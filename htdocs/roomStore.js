/*
 * webchat page: what the page knows about the room, without the DOM.
 */

import * as roomEvents from './roomEvents.js';
import { isString } from './protocol.js';

export const MAX_MESSAGES = 500; // oldest messages are dropped beyond this

/**
 * What the page knows about the room: the ids of the messages it showed
 * (to drop duplicates, whatever the server does), the last id and the
 * room's epoch they belong to (for `since` and `epoch`), the members
 * (and which of them a signed identity vouches for) and who one is (the
 * welcome's nick, `from` and roles, see roomEvents.selfFromWelcome).
 */
export function createRoomStore() {
  var seen = new Set();
  var lastId = 0;
  var oldestId = 0; // the oldest message shown (0: none), for older history
  var epoch = null;
  var users = [];
  var verified = new Set();
  var self = roomEvents.selfFromWelcome(null, null);

  /** True if the message is new (and now remembered). */
  function addMessage(id) {
    if (seen.has(id) || id <= lastId) return false;
    seen.add(id);
    lastId = id;
    if (oldestId === 0) oldestId = id;
    if (seen.size > MAX_MESSAGES * 2) {
      // Forget the oldest half; `id <= lastId` still rejects them.
      Array.from(seen).slice(0, MAX_MESSAGES).forEach(function (old) { seen.delete(old); });
    }
    return true;
  }

  /**
   * Of a page of older history, the messages to show above the oldest one
   * shown: older than it, each once, oldest first (now remembered). So a
   * page that overlaps what is shown, or comes twice, adds nothing twice.
   */
  function takeOlder(messages) {
    if (oldestId === 0) return [];
    var older = messages.filter(function (message, i, all) {
      return message.id < oldestId && !seen.has(message.id) &&
        all.findIndex(function (other) { return other.id === message.id; }) === i;
    }).sort(function (a, b) { return a.id - b.id; });
    older.forEach(function (message) { seen.add(message.id); });
    if (older.length) oldestId = older[0].id;
    return older;
  }

  function clearMessages() {
    seen.clear();
    lastId = 0;
    oldestId = 0;
    epoch = null;
  }

  /** The welcome's members; verifiedIndexes: the indexes in list of the verified ones. */
  function setUsers(list, verifiedIndexes) {
    users = list.filter(isString).filter(function (name, i, all) { return all.indexOf(name) === i; });
    verified = new Set();
    (Array.isArray(verifiedIndexes) ? verifiedIndexes : []).forEach(function (index) {
      if (isString(list[index])) verified.add(list[index]);
    });
  }

  function addUser(name, isVerified) {
    if (users.indexOf(name) === -1) users.push(name);
    if (isVerified) verified.add(name);
  }

  function removeUser(name) {
    users = users.filter(function (other) { return other !== name; });
    verified.delete(name);
  }

  function renameUser(old, name, isVerified) {
    removeUser(old);
    addUser(name, isVerified);
  }

  return {
    addMessage: addMessage,
    clearMessages: clearMessages,
    lastId: function () { return lastId; },
    oldestId: function () { return oldestId; },
    takeOlder: takeOlder,
    epoch: function () { return epoch; },
    setEpoch: function (value) { epoch = isString(value) && value ? value : null; },
    users: function () { return users.slice(); },
    setUsers: setUsers,
    addUser: addUser,
    removeUser: removeUser,
    renameUser: renameUser,
    isVerified: function (name) { return verified.has(name); },
    nick: function () { return self.nick; },
    setNick: function (value) { self.nick = value; },
    self: function () { return self; },
    setSelf: function (value) { self = value; },
  };
}
