import type { Logger } from "../log.ts";
import { GiteaError, type GiteaPort } from "./port.ts";

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
    if (this.login === null) {
      void this.resolve();
      return;
    }
    this.d.onResolved(this.login);
    void this.checkToken(this.login);
  }

  /**
   * A configured login needs no answer from Gitea, but the token is still asked who it is at
   * start: Gitea 1.15 reads a bad token as no token on public reads (recorded:
   * test/fixtures/forges/gitea-1.15.11/api/56), so it would otherwise show only at the first write.
   */
  private async checkToken(configured: string): Promise<void> {
    try {
      const login = await this.d.gitea.currentUser();
      if (login.toLowerCase() !== configured.toLowerCase()) this.d.log.warn({ botUser: configured, tokenUser: login }, `the Gitea token belongs to ${login}, not to the configured botUser ${configured}`);
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof GiteaError && err.status === 401) this.refused();
      else this.d.log.warn({ err }, "could not ask Gitea who the token belongs to");
    }
  }

  private refused(): void {
    this.d.log.error("Gitea refuses the token (401 on GET /user): check GITEA_TOKEN; comments and statuses will fail until it is fixed");
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
      // A refused token stays refused until the bot is restarted with another.
      if (err instanceof GiteaError && err.status === 401) return this.refused();
      this.d.log.warn({ err }, "could not ask Gitea who the token belongs to; will try again in 30 s");
      this.timer = setTimeout(() => void this.resolve(), RETRY_MS);
      this.timer.unref();
    }
  }
}
