import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { configProblems } from "../support/config-problems.ts";

const base = { gitea: { url: "https://git.example.org", token: "t" } };
const loop = (sessions: Record<string, unknown>) => ({ ...base, loops: [{ name: "cc-ci", repo: "o/cc-ci", sessions }] });
const job = (j: Record<string, unknown>) => ({ ...base, supervisor: { schedules: [{ name: "upgrader", cron: "0 3 * * 6", prompt: "/upgrade-all", ...j }] } });

const problems = (input: unknown) => configProblems(() => parseConfig(input));

describe("configuration of opencode-server sessions", () => {
  it("a session on an opencode server needs no start command; its title is its name", () => {
    const c = parseConfig(loop({ builder: { backend: "opencode-server", title: "cc-ci-builder", cwd: "/srv/cc-ci", server: { url: "http://127.0.0.1:4096/", passwordEnv: "OPENCODE_SERVER_PASSWORD" } } }));
    const s = c.loops[0]!.sessions.builder!;
    expect(s).toMatchObject({ backend: "opencode-server", session: "cc-ci-builder", title: "cc-ci-builder", start: [], cwd: "/srv/cc-ci" });
    expect(s.server).toEqual({ url: "http://127.0.0.1:4096", passwordEnv: "OPENCODE_SERVER_PASSWORD", timeoutSeconds: 10 });
  });

  it("a top-level opencode block serves sessions that name no server; tmux stays the default backend", () => {
    const c = parseConfig({ ...loop({ builder: { backend: "opencode-server", session: "cc-ci-builder" }, adversary: { session: "adv", start: ["claude"] } }), opencode: { url: "http://oc:4096" } });
    expect(c.opencode?.url).toBe("http://oc:4096");
    expect(c.loops[0]!.sessions.builder).toMatchObject({ title: "cc-ci-builder", session: "cc-ci-builder" });
    expect(c.loops[0]!.sessions.adversary).toMatchObject({ backend: "tmux", start: ["claude"] });
  });

  it("a scheduled job may run on an opencode server too: its title is its name, its server the top-level one", () => {
    const c = parseConfig({ ...job({ backend: "opencode-server", title: "cc-ci-upgrader" }), opencode: { url: "http://oc:4096" } });
    expect(c.supervisor.schedules[0]).toMatchObject({ backend: "opencode-server", session: "cc-ci-upgrader", title: "cc-ci-upgrader", start: [], mode: "start" });
    expect(parseConfig(job({ session: "cc-ci-upgrader", start: ["claude"] })).supervisor.schedules[0]).toMatchObject({ backend: "tmux", session: "cc-ci-upgrader", start: ["claude"] });
  });

  it.each([
    ["a job on an opencode server with no server anywhere", job({ backend: "opencode-server", title: "u" }), "supervisor.schedules.0.server: is required for the opencode-server backend"],
    ["a tmux job without start", job({ session: "u" }), "supervisor.schedules.0.start: is required for the tmux backend"],
    ["a tmux job without a session name", job({ start: ["claude"] }), "supervisor.schedules.0.session: is required"],
    ["no server anywhere", loop({ builder: { backend: "opencode-server", title: "b" } }), "loops.0.sessions.builder.server: is required for the opencode-server backend"],
    ["no title", loop({ builder: { backend: "opencode-server", server: { url: "http://x:1" } } }), "loops.0.sessions.builder.title: is required for the opencode-server backend"],
    ["a URL that is none", loop({ builder: { backend: "opencode-server", title: "b", server: { url: "nope" } } }), "loops.0.sessions.builder.server.url: must be the opencode server's base URL"],
    ["a password in place of its variable", loop({ builder: { backend: "opencode-server", title: "b", server: { url: "http://x:1", passwordEnv: "hunter2 secret" } } }), "loops.0.sessions.builder.server.passwordEnv: must name an environment variable"],
    ["a tmux session without start", loop({ builder: { session: "b" } }), "loops.0.sessions.builder.start: is required for the tmux backend"],
    ["an unknown backend", loop({ builder: { backend: "screen", session: "b", start: ["x"] } }), "loops.0.sessions.builder.backend:"],
  ])("refuses %s in one line naming the key", (_name, input, expected) => {
    const p = problems(input);
    expect(p.length).toBeGreaterThan(0);
    expect(p.some((l) => l.startsWith(expected))).toBe(true);
    for (const l of p) expect(l).not.toContain("\n");
  });
});
