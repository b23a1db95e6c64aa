/** A long-lived part of the bot: what starts it, and what stops it. */
export interface Part {
  name: string;
  start?: () => void | Promise<void>;
  stop?: () => void | Promise<void>;
}

/**
 * Starts parts in the order given and stops them in the reverse order, so what was started
 * later (and may lean on what came before) is gone before what it leaned on. One list for both
 * directions: a part added to start is a part stopped. Only parts that started are stopped; a
 * part that fails to stop is reported and the rest still stop.
 */
export class Lifecycle {
  private readonly started: Part[] = [];

  constructor(private readonly onStopError: (part: string, err: unknown) => void) {}

  async start(parts: readonly Part[]): Promise<void> {
    for (const part of parts) {
      await part.start?.();
      this.started.push(part);
    }
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const part = this.started.pop()!;
      try {
        await part.stop?.();
      } catch (err) {
        this.onStopError(part.name, err);
      }
    }
  }
}
