import type { Logger } from "../log.ts";
import type { GiteaPort } from "./port.ts";

const RETRY_MS = 30_000;

/**
 * The bot's own login tells its comments apart. Configured, it is known at once; otherwise it
 * is asked of Gitea in the background (every 30 s until Gitea answers), so a Gitea outage at
 * start does not stop intake. `onResolved` runs once the login is known.
 */
export class BotLogin {
  private login: string | null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly d: { configured: string | undefined; gitea: Pick<GiteaPort, "currentUser">; log: Logger; onResolved: (login: string) => void }) {
    this.login = d.configured ?? null;
  }

  readonly get = (): string | null => this.login;

  start(): void {
    if (this.login !== null) this.d.onResolved(this.login);
    else void this.resolve();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async resolve(): Promise<void> {
    try {
      this.login = await this.d.gitea.currentUser();
      this.d.log.info({ botUser: this.login }, "bot account resolved from the token");
      this.d.onResolved(this.login);
    } catch (err) {
      // Stopped while Gitea was being asked: no further try.
      if (this.stopped) return;
      this.d.log.warn({ err }, "could not ask Gitea who the token belongs to; will try again in 30 s");
      this.timer = setTimeout(() => void this.resolve(), RETRY_MS);
      this.timer.unref();
    }
  }
}
