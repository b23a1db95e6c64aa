import { randomBytes } from "node:crypto";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { removeDir, tempDir } from "../../support/temp.ts";
import { waitFor } from "../../support/wait.ts";
import { freePort } from "../../support/free-port.ts";

export interface E2eGitea {
  url: string;
  admin: { user: string; password: string };
  version: string;
}

/** How to give the live suite a forge; printed whenever none is given. */
export const HOW_TO_GIVE_A_GITEA =
  "set GITEA_E2E_BIN=/path/to/gitea (a Gitea binary, started on a free loopback port) or GITEA_E2E_URL=URL with GITEA_E2E_ADMIN=user:password (any Gitea >= 1.15 or Forgejo)";

/** Which forge the environment names, or null when it names none. */
export function giteaGiven(env: NodeJS.ProcessEnv = process.env): "url" | "bin" | null {
  if (env.GITEA_E2E_URL) return "url";
  if (env.GITEA_E2E_BIN) return "bin";
  return null;
}

/**
 * A real Gitea: the one GITEA_E2E_URL names, or a fresh one started from the binary
 * GITEA_E2E_BIN names (stopped and removed by `stop`). With neither it throws one line saying
 * how to give one: nothing that needs a real forge passes without one.
 */
export async function realGitea(): Promise<{ gitea: E2eGitea; stop: () => Promise<void> }> {
  const given = giteaGiven();
  if (given === null) throw new Error(`no Gitea for the live suite: ${HOW_TO_GIVE_A_GITEA}`);
  if (given === "bin") return startGitea(process.env.GITEA_E2E_BIN!);
  const url = process.env.GITEA_E2E_URL!.replace(/\/+$/, "");
  const [user, ...rest] = (process.env.GITEA_E2E_ADMIN ?? "").split(":");
  if (!user || rest.length === 0) throw new Error(`GITEA_E2E_URL is set but GITEA_E2E_ADMIN is not user:password: ${HOW_TO_GIVE_A_GITEA}`);
  const admin = { user, password: rest.join(":") };
  return { gitea: { url, admin, version: await versionOf(url, admin) }, stop: async () => {} };
}

async function versionOf(url: string, admin: E2eGitea["admin"]): Promise<string> {
  const auth = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString("base64")}`;
  const res = await fetch(`${url}/api/v1/version`, { headers: { authorization: auth } }).catch((err: Error) => {
    throw new Error(`Gitea at ${url} does not answer (${err.message}): ${HOW_TO_GIVE_A_GITEA}`);
  });
  if (!res.ok) throw new Error(`Gitea at ${url} answered ${res.status} to /api/v1/version: ${HOW_TO_GIVE_A_GITEA}`);
  return ((await res.json()) as { version: string }).version;
}

const run = promisify(execFile);

/**
 * A Gitea of our own from a binary: a temp dir holding its app.ini (SQLite, loopback only,
 * deliveries to loopback allowed, no mail, no SSH, nothing fetched from outside), the schema
 * migrated, a site admin created through the binary's own CLI, then `gitea web` until ready.
 */
export async function startGitea(bin: string): Promise<{ gitea: E2eGitea; stop: () => Promise<void> }> {
  const dir = tempDir("ccci-gitea-");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, "app.ini");
  mkdirSync(join(dir, "custom"), { recursive: true });
  writeFileSync(config, appIni(dir, port));
  const env = { ...process.env, GITEA_WORK_DIR: dir, GITEA_CUSTOM: join(dir, "custom"), HOME: dir };
  const admin = { user: "gadmin", password: `E2e-${randomBytes(9).toString("hex")}` };
  let web: ChildProcess | null = null;
  const stop = async () => {
    if (web && web.exitCode === null && web.signalCode === null) {
      const exited = new Promise((r) => web!.once("exit", r));
      web.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (web.exitCode === null && web.signalCode === null) web.kill("SIGKILL");
    }
    removeDir(dir);
  };
  try {
    const gitea = (args: string[]) => run(bin, [...args, "--config", config], { env, cwd: dir, timeout: 120_000 });
    await gitea(["migrate"]);
    await gitea(["admin", "user", "create", "--admin", "--username", admin.user, "--password", admin.password, "--email", "gadmin@example.test", "--must-change-password=false"]);
    web = spawn(bin, ["web", "--config", config, "--port", String(port)], { env, cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    web.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-2000)));
    const version = await waitFor(
      async () => {
        if (web!.exitCode !== null) throw new Error(`gitea web exited with ${web!.exitCode}: ${stderr.trim().split("\n").at(-1) ?? ""}`);
        return versionOf(url, admin).catch(() => null);
      },
      `Gitea from ${bin} answering on ${url}`,
      60_000,
    );
    return { gitea: { url, admin, version }, stop };
  } catch (err) {
    await stop();
    throw new Error(`could not start Gitea from GITEA_E2E_BIN=${bin}: ${(err as Error).message.split("\n")[0]}`);
  }
}

function appIni(dir: string, port: number): string {
  const user = userInfo().username;
  return `APP_NAME = cc-ci-bot live suite
RUN_USER = ${user}
RUN_MODE = prod
${user === "root" ? "I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true\n" : ""}
[database]
DB_TYPE = sqlite3
PATH = ${join(dir, "gitea.db")}
LOG_SQL = false

[repository]
ROOT = ${join(dir, "repos")}

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = ${port}
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:${port}/
APP_DATA_PATH = ${join(dir, "data")}
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false

[security]
INSTALL_LOCK = true
SECRET_KEY = ${randomBytes(24).toString("hex")}

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
DEFAULT_KEEP_EMAIL_PRIVATE = false

[webhook]
ALLOWED_HOST_LIST = loopback,private
DELIVER_TIMEOUT = 5

[mailer]
ENABLED = false

[picture]
DISABLE_GRAVATAR = true
ENABLE_FEDERATED_AVATAR = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[log]
MODE = file
ROOT_PATH = ${join(dir, "log")}
LEVEL = Warn

[cron.update_checker]
ENABLED = false
`;
}
