import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "./support/free-port.ts";

export interface E2eGitea {
  url: string;
  admin: { user: string; password: string };
  version: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    gitea: E2eGitea;
  }
}

const START = resolve(import.meta.dirname, "../../../shared/gitea/start-gitea");
const STOP = resolve(import.meta.dirname, "../../../shared/gitea/stop-gitea");
const HOW = "set GITEA_E2E_URL and GITEA_E2E_ADMIN=user:password (any Gitea >= 1.15 or Forgejo), or provide ../shared/gitea/start-gitea";

/**
 * The Gitea every end-to-end test talks to: the one named by the environment, else a fresh
 * Gitea 1.15.11 from ../shared/gitea started for this run and stopped after it. With neither
 * the run fails in one line: this suite never passes without a real forge.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.GITEA_E2E_URL?.replace(/\/+$/, "");
  let admin: E2eGitea["admin"];
  let teardown = async () => {};
  if (url) {
    const [user, ...rest] = (process.env.GITEA_E2E_ADMIN ?? "").split(":");
    if (!user || rest.length === 0) throw new Error(`GITEA_E2E_URL is set but GITEA_E2E_ADMIN is not user:password: ${HOW}`);
    admin = { user, password: rest.join(":") };
  } else {
    if (!existsSync(START)) throw new Error(`no Gitea for the end-to-end suite: ${HOW}`);
    const dir = mkdtempSync(join(tmpdir(), "ccci-e2e-gitea-"));
    const out = execFileSync(START, [join(dir, "gitea"), String(await freePort())], { encoding: "utf8", timeout: 120_000 });
    const started = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { url: string; admin: string; password: string };
    url = started.url.replace(/\/+$/, "");
    admin = { user: started.admin, password: started.password };
    teardown = async () => {
      try {
        execFileSync(STOP, [join(dir, "gitea")], { stdio: "ignore", timeout: 60_000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
  }
  const res = await fetch(`${url}/api/v1/version`, { headers: { authorization: `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString("base64")}` } }).catch(
    (err: Error) => {
      throw new Error(`Gitea at ${url} does not answer (${err.message}): ${HOW}`);
    },
  );
  if (!res.ok) throw new Error(`Gitea at ${url} answered ${res.status} to /api/v1/version: ${HOW}`);
  const { version } = (await res.json()) as { version: string };
  project.provide("gitea", { url, admin, version });
  return teardown;
}
