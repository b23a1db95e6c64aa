import type { Clock } from "../clock.ts";
import type { NewPing, PingStore } from "../store/pings.ts";
import { sanitizePing } from "./sanitize.ts";

export interface PingsDeps {
  store: Pick<PingStore, "enqueue">;
  clock: Clock;
  /** The configured limit-banner patterns: a ping must never look like one to the supervisor. */
  limitPatterns: readonly RegExp[];
  /** Queued pings are waiting: the messenger may go. */
  wake: () => void;
}

export interface PingRequest {
  loop: string;
  role: string;
  session: string | null;
  text: string;
  /** When the event that caused the ping reached the bot; now when omitted. */
  receivedAt?: number;
  repo?: string;
  /** The commits announced; each (repo, sha, role) is marked so that it never pings again. */
  shas?: string[];
}

/**
 * The one way a ping enters the queue, whoever sends it (the handoff relay, `/ping`, phase
 * kickoffs, operator alerts): the text is made safe to type with the configured patterns,
 * stored with its marks in one transaction, and the messenger is woken. A sender that built
 * its own path would sooner or later skip one of the three.
 */
export class Pings {
  constructor(private readonly d: PingsDeps) {}

  async send(p: PingRequest): Promise<void> {
    const now = this.d.clock.now();
    const ping: NewPing = {
      loop: p.loop,
      role: p.role,
      session: p.session,
      text: sanitizePing(p.text, undefined, this.d.limitPatterns),
      receivedAt: p.receivedAt ?? now,
      repo: p.repo ?? "",
      shas: p.shas ?? [],
    };
    await this.d.store.enqueue(ping, now);
    this.d.wake();
  }
}
