/*
 * webchat page: the room's name and topic in the header.
 */

/** The room's name in the header and in the tab's title. */
export function createRoomNameView(name, title, t) {
  return {
    show: function (room) {
      name.textContent = room;
      title.setBase(t('pageTitle', { room: room }));
    },
  };
}

/** The room's topic under its name; hidden while it has none. */
export function createTopicView(box, text) {
  return {
    show: function (topic) {
      text.textContent = topic;
      box.hidden = topic === '';
    },
  };
}
