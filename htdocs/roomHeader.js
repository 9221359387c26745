/*
 * webchat page: the room's name and topic in the header.
 */

/** The room's topic under its name; hidden while it has none. */
export function createTopicView(box, text) {
  return {
    show: function (topic) {
      text.textContent = topic;
      box.hidden = topic === '';
    },
  };
}
