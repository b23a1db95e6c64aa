/** Wraps an async job so that calls made while it runs share that run instead of starting another. */
export function singleFlight(job: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= job().finally(() => (running = null)));
}
