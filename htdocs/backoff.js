/*
 * webchat page: reconnect delays, exponential with full jitter, capped.
 */

const RECONNECT_BASE_MS = 500;
const RECONNECT_CAP_MS = 30000;

/**
 * Delay before reconnect attempt number `attempt` (0-based): uniform in
 * [0, min(cap, base * 2^attempt)). random: a source of numbers in [0, 1).
 */
export function reconnectDelay(attempt, random = Math.random) {
  var ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * Math.pow(2, Math.min(attempt, 30)));
  return random() * ceiling;
}
