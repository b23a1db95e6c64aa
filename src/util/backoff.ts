/**
 * Exponential backoff with jitter over the upper half of each step, capped: attempt 0 waits
 * base/2..base, attempt 1 base..2·base, and so on.
 */
export function backoff(baseMs: number, attempt: number, capMs = 15 * 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 40));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
