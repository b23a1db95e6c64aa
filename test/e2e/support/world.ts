import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { stringify } from "yaml";
import { Agents } from "../../support/agents.ts";
import { spawnBot, type ChildBot } from "../../support/child-bot.ts";
import { tempDir } from "../../support/temp.ts";
import { freePort } from "../../support/free-port.ts";
import type { E2eGitea } from "./gitea-server.ts";
import { GitClone } from "./git-clone.ts";
import { GiteaApi, type Credentials } from "./gitea-api.ts";

export const RUNNER = new URL("../../support/runner.mjs", import.meta.url).pathname;
const PASSWORD = "E2e-passw0rd!";

/**
 * One test file's corner of the real Gitea: its own org, users and repos (names unique per
 * run, so a long-lived Gitea an operator points the suite at is never confused by old ones),
 * webhooks created through the API as the README says, and the bot as a child process
 * configured by a YAML file and the environment.
 */
export class World {
  readonly admin: GiteaApi;
  readonly tag = randomBytes(3).toString("hex");
  readonly org = `e2e-${this.tag}`;
  readonly dir = tempDir("ccci-e2e-");
  readonly secret = randomBytes(16).toString("hex");
  readonly agents = new Agents(this.dir);
  /** Users by role: a write collaborator, an org member, a stranger, an operator and the bot itself. */
  users!: Record<"maintainer" | "member" | "stranger" | "operator" | "bot", Credentials>;
  botToken = "";
  port = 0;
  bot: ChildBot | undefined;
  private configPath = "";
  readonly hooks = new Map<string, number>();

  /** The real Gitea: the suite's (vitest's inject), or one a benchmark found itself. */
  constructor(readonly gitea: E2eGitea = inject("gitea")) {
    this.admin = new GiteaApi(gitea.url, gitea.admin);
  }

  repo(name: string): string {
    return `${this.org}/${name}`;
  }

  as(role: keyof World["users"]): GiteaApi {
    return this.admin.user(this.users[role]);
  }

  /**
   * Users, the org, its repos (auto_init) with webhooks, and the bot's token. `hookEvents`:
   * the webhooks' events when not the README's three (push, pull request, PR comment).
   */
  async create(repos: { recipes?: string[]; loops?: string[]; hookEvents?: string[] }): Promise<void> {
    const name = (role: string) => `${role.slice(0, 5)}-${this.tag}`;
    this.users = {
      maintainer: await this.admin.createUser(name("maint"), PASSWORD),
      member: await this.admin.createUser(name("member"), PASSWORD),
      stranger: await this.admin.createUser(name("stranger"), PASSWORD),
      operator: await this.admin.createUser(name("oper"), PASSWORD),
      bot: await this.admin.createUser(name("cibot"), PASSWORD),
    };
    await this.admin.createOrg(this.org);
    this.port = await freePort();
    for (const r of [...(repos.recipes ?? []), ...(repos.loops ?? [])]) {
      await this.admin.createRepo(this.org, r);
      this.hooks.set(r, await this.admin.createHook(this.repo(r), `http://127.0.0.1:${this.port}/webhook`, this.secret, repos.hookEvents));
    }
    for (const r of [...(repos.recipes ?? []), ...(repos.loops ?? [])]) await this.admin.addCollaborator(this.repo(r), this.users.maintainer.user, "write");
    // The bot is a member of the trusted org (a team with write access: statuses, comments):
    // Gitea shows private org membership only to members, so a bot outside the org could not
    // tell a member from a stranger (1.15 answers non-members with a 302 to public_members).
    await this.admin.addTeam(this.org, "ci", [this.users.bot.user]);
    await this.admin.addTeam(this.org, "maintainers", [this.users.member.user]);
    this.botToken = await this.as("bot").createToken(`cc-ci-bot-${this.tag}`);
  }

  /** The bot's YAML file (secrets stay in the environment, as the README's setup says). */
  writeConfig(settings: Record<string, unknown>): void {
    const config = {
      server: { port: this.port, host: "127.0.0.1", publicUrl: `http://127.0.0.1:${this.port}` },
      dataDir: join(this.dir, "data"),
      logLevel: "debug",
      dispatcher: { backoffMs: 200, maxAttempts: 5 },
      outbox: { backoffMs: 200, maxBackoffMs: 2000 },
      operators: [this.users.operator.user],
      supervisor: { tmuxSocket: this.agents.socket, tickSeconds: 1 },
      ...settings,
    };
    mkdirSync(this.dir, { recursive: true });
    this.configPath = join(this.dir, "cc-ci-bot.yaml");
    writeFileSync(this.configPath, stringify(config));
  }

  async startBot(): Promise<ChildBot> {
    this.bot = await spawnBot(this.configPath, [], { GITEA_URL: this.gitea.url, GITEA_TOKEN: this.botToken, WEBHOOK_SECRET: this.secret });
    return this.bot;
  }

  /** SIGTERM, as systemd stops it; waits for the exit. */
  async stopBot(): Promise<void> {
    const bot = this.bot;
    if (!bot) return;
    this.bot = undefined;
    if (bot.child.exitCode === null) bot.child.kill("SIGTERM");
    await bot.exited;
  }

  /** The bot's JSON API. */
  async api<T>(path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  clone(repo: string, as: keyof World["users"] = "maintainer"): GitClone {
    return GitClone.clone(this.gitea.url, this.repo(repo), this.users[as], join(this.dir, "clones", `${repo}-${as}-${randomBytes(2).toString("hex")}`));
  }

  async close(): Promise<void> {
    await this.stopBot();
    await this.agents.close();
  }
}
