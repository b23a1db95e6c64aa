/** One-line error for a condition that did not come true in time. */
export class DeadlineError extends Error {}

/**
 * Polls `check` until it returns a value other than undefined/false, or throws a one-line
 * DeadlineError naming `what` after `deadlineMs`. A condition, never a fixed sleep.
 */
export async function waitUntil<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, deadlineMs: number, everyMs = 100): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= end) throw new DeadlineError(`timed out after ${Math.round(deadlineMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
