/*
 * webchat page: which messages show their speaker's name and time. A run
 * of messages from one speaker, each within five minutes of the one before,
 * shows them once, on the first; anything else in between (a notice, a
 * removed message) starts a new run. Pure: the message view asks.
 */

export const GROUP_WINDOW_MS = 5 * 60 * 1000;

/**
 * Who said a message, for grouping: its `from` (a stable public id) when
 * the server sends one, else its nick (an older server, or the relay's
 * none: null).
 */
export function speakerOf(message) {
  if (typeof message.from === 'string' && message.from !== '') return 'from:' + message.from;
  if (typeof message.nick === 'string') return 'nick:' + message.nick;
  return null;
}

/**
 * Whether `next` continues the run of `previous` (both { speaker, time }
 * with time in ms, or null for something that is not a speaker's
 * message): the same speaker, at most five minutes later. A message
 * stamped earlier than the one before (clocks of two servers) still does
 * if it is within five minutes.
 */
export function continuesRun(previous, next) {
  if (!previous || !next || previous.speaker === null || next.speaker === null) return false;
  if (previous.speaker !== next.speaker) return false;
  return Math.abs(next.time - previous.time) <= GROUP_WINDOW_MS;
}
