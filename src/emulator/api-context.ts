import type { Context, Hono } from "hono";
import type { BlankSchema } from "hono/types";
import type { Flavour } from "./flavour.ts";
import type { EmulatorState, RepoState } from "./state.ts";

export interface ApiOptions {
  state: EmulatorState;
  base: () => string;
  flavour: Flavour;
  /** Called after a comment is created or deleted through the API (Gitea sends a webhook for it). */
  onComment: (repo: RepoState, commentId: number, action: "created" | "deleted") => void;
}

/** The signed-in user, or null for an anonymous read (1.15 reads a bad token as no token). */
export type Env = { Variables: { user: string | null } };
export type Api = Hono<Env, BlankSchema, "/api/v1">;

/** What every group of routes shares: the state, links, and Gitea's own error answers. */
export class ApiContext {
  constructor(readonly o: ApiOptions) {}

  get state(): EmulatorState {
    return this.o.state;
  }

  base(): string {
    return this.o.base();
  }

  repoOf(c: Context<Env>): RepoState | undefined {
    return this.state.repos.get(`${c.req.param("owner")}/${c.req.param("repo")}`.toLowerCase());
  }

  /** The signed-in user of a route that the auth layer lets in only when signed in. */
  user(c: Context<Env>): string {
    const u = c.get("user");
    if (u === null) throw new Error("emulator: a write route was reached without a user");
    return u;
  }

  /** Gitea's ctx.NotFound() answer (routers/api/v1): the same fields whatever was missing. */
  notFound(c: Context, message = "Not Found", errors: string[] | null = null): Response {
    return c.json({ documentation_url: `${this.base()}/api/swagger`, errors, message }, 404);
  }

  /** Gitea's answer to a body it cannot bind or a value it refuses. */
  unprocessable(c: Context, message: string): Response {
    return c.json({ message, url: `${this.base()}/api/swagger` }, 422);
  }

  async body(c: Context): Promise<Record<string, unknown>> {
    const b: unknown = await c.req.json().catch(() => null);
    return b !== null && typeof b === "object" && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
  }
}
