import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./free-port.ts";

export interface E2eGitea {
  url: string;
  admin: { user: string; password: string };
  version: string;
}

const START = resolve(import.meta.dirname, "../../../../shared/gitea/start-gitea");
const STOP = resolve(import.meta.dirname, "../../../../shared/gitea/stop-gitea");
const HOW = "set GITEA_E2E_URL and GITEA_E2E_ADMIN=user:password (any Gitea >= 1.15 or Forgejo), or provide ../shared/gitea/start-gitea";

/**
 * A real Gitea: the one named by the environment, else a fresh Gitea 1.15.11 from
 * ../shared/gitea on a free loopback port (stopped by `stop`). With neither it throws one
 * line saying how to provide one: nothing that needs a real forge passes without one.
 */
export async function realGitea(): Promise<{ gitea: E2eGitea; stop: () => Promise<void> }> {
  let url = process.env.GITEA_E2E_URL?.replace(/\/+$/, "");
  let admin: E2eGitea["admin"];
  let stop = async () => {};
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
    stop = async () => {
      try {
        execFileSync(STOP, [join(dir, "gitea")], { stdio: "ignore", timeout: 60_000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
  }
  const auth = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString("base64")}`;
  const res = await fetch(`${url}/api/v1/version`, { headers: { authorization: auth } }).catch((err: Error) => {
    throw new Error(`Gitea at ${url} does not answer (${err.message}): ${HOW}`);
  });
  if (!res.ok) throw new Error(`Gitea at ${url} answered ${res.status} to /api/v1/version: ${HOW}`);
  const { version } = (await res.json()) as { version: string };
  return { gitea: { url, admin, version }, stop };
}
