import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tempDir } from "./temp.ts";

const require = createRequire(import.meta.url);

/**
 * The opencode binary from the `opencode-ai` npm package (pinned in package.json). Its
 * postinstall links the platform binary (an optional dependency, e.g. `opencode-linux-x64`)
 * to `bin/opencode.exe`; when install scripts did not run, the platform package's own binary.
 */
export function opencodeBin(): string {
  const pkg = dirname(require.resolve("opencode-ai/package.json"));
  const linked = join(pkg, "bin", "opencode.exe");
  if (existsSync(linked)) return linked;
  const arch = process.arch === "x64" ? "x64" : process.arch;
  for (const name of [`opencode-${process.platform}-${arch}`, `opencode-${process.platform}-${arch}-baseline`]) {
    try {
      const p = join(dirname(require.resolve(`${name}/package.json`)), "bin", "opencode");
      if (existsSync(p)) return p;
    } catch {
      // not installed for this machine: try the next
    }
  }
  throw new Error("opencode is not installed: run npm ci (opencode-ai is a devDependency)");
}

/** Whether the opencode binary is installed (the demo runs its builder on it only then). */
export function opencodeInstalled(): boolean {
  try {
    opencodeBin();
    return true;
  } catch {
    return false;
  }
}

/**
 * A loopback port that takes every connection and closes it at once: HTTP(S)_PROXY points
 * here, so anything opencode tries to fetch from outside fails fast and is counted.
 */
export class RefusingProxy {
  attempts = 0;
  /** The first line of each refused request (e.g. `CONNECT host:443 HTTP/1.1`), for failure messages. */
  readonly targets: string[] = [];
  private server: Server | null = null;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((s: Socket) => {
      this.attempts++;
      s.once("data", (d: Buffer) => {
        this.targets.push(d.toString("latin1").split("\r\n")[0]!.slice(0, 200));
        s.destroy();
      });
      s.setTimeout(1000, () => s.destroy());
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }
}

export const FAKE_PROVIDER = "fake";
export const FAKE_MODEL = "fake-model";

/**
 * Everything opencode needs to run fully offline against a model on loopback (docs/design.md#agents-as-they-really-are): a
 * config whose provider is the built-in `@ai-sdk/openai-compatible` with its baseURL on the
 * fake model, every OPENCODE_DISABLE_* switch, a throwaway HOME and XDG dirs, a pre-created
 * ~/.config/opencode/node_modules/ (else a plugin install from the npm registry starts in the
 * background) and a proxy that refuses everything.
 */
export function offlineOpencodeEnv(o: { modelUrl: string; proxyUrl: string; password?: string | undefined; dir?: string }): { env: Record<string, string>; home: string; project: string } {
  const root = o.dir ?? tempDir("ccci-opencode-");
  const home = join(root, "home");
  const xdg = { XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local", "share"), XDG_CACHE_HOME: join(home, ".cache"), XDG_STATE_HOME: join(home, ".local", "state") };
  for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true });
  mkdirSync(join(xdg.XDG_CONFIG_HOME, "opencode", "node_modules"), { recursive: true });
  // opencode 1.18.33 installs @opencode-ai/plugin into each config dir in the background (npm
  // arborist, from the registry) unless node_modules exists AND package-lock.json already lists
  // every dependency it would add: its Npm.install checks both ("checkNodeModules", "checkDirty").
  const globalConfig = join(xdg.XDG_CONFIG_HOME, "opencode");
  writeFileSync(join(globalConfig, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": { dependencies: { "@opencode-ai/plugin": "*" } } } }));
  const project = join(root, "project");
  mkdirSync(project, { recursive: true });
  const config = join(root, "opencode.json");
  writeFileSync(
    config,
    JSON.stringify(
      {
        $schema: "https://opencode.ai/config.json",
        model: `${FAKE_PROVIDER}/${FAKE_MODEL}`,
        small_model: `${FAKE_PROVIDER}/${FAKE_MODEL}`,
        autoupdate: false,
        share: "disabled",
        snapshot: false,
        provider: {
          [FAKE_PROVIDER]: {
            npm: "@ai-sdk/openai-compatible",
            name: "Fake model on loopback",
            options: { baseURL: o.modelUrl, apiKey: "sk-fake" },
            models: { [FAKE_MODEL]: { name: "Fake model", tool_call: false, limit: { context: 100_000, output: 4_000 } } },
          },
        },
      },
      null,
      2,
    ),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    ...xdg,
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
    OPENCODE_CONFIG: config,
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    OPENCODE_DISABLE_SHARE: "1",
    OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
    HTTP_PROXY: o.proxyUrl,
    HTTPS_PROXY: o.proxyUrl,
    http_proxy: o.proxyUrl,
    https_proxy: o.proxyUrl,
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
  };
  if (o.password !== undefined) env.OPENCODE_SERVER_PASSWORD = o.password;
  return { env, home, project };
}

/**
 * How to run opencode's TUI offline in a tmux session (`Tmux.newSession(name, spec)`): the same
 * offline environment; `attach` runs the TUI against a running `opencode serve`, else the TUI
 * runs its own server in `project`. Stop the proxy when the session is gone.
 */
export async function opencodeTuiSpec(o: { modelUrl: string; attach?: string; password?: string }): Promise<{ argv: string[]; env: Record<string, string>; cwd: string; proxy: RefusingProxy; exited: () => Promise<void> }> {
  const proxy = await new RefusingProxy().start();
  const { env, project } = offlineOpencodeEnv({ modelUrl: o.modelUrl, proxyUrl: proxy.url, password: o.password });
  const argv = o.attach ? [opencodeBin(), "attach", o.attach, "--dir", project] : [opencodeBin(), project];
  return { argv, env, cwd: project, proxy, exited: () => exitedOf(project) };
}

/**
 * Waits (bounded) until no process runs with `marker` on its command line. A TUI killed with its
 * tmux server flushes its database on the way out: remove its temp dir only after this, or the
 * dir comes back.
 */
async function exitedOf(marker: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const running = () =>
    readdirSync("/proc").some((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    });
  while (Date.now() < deadline && running()) await new Promise((r) => setTimeout(r, 100));
}

export interface OpencodeServer {
  url: string;
  password: string | undefined;
  /** The directory the server runs in (its sessions' project). */
  project: string;
  env: Record<string, string>;
  proxy: RefusingProxy;
  /** What the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `opencode serve` on a loopback port, offline, and waits until it answers. */
export async function startOpencodeServer(o: { modelUrl: string; password?: string; timeoutMs?: number; dir?: string }): Promise<OpencodeServer> {
  const proxy = await new RefusingProxy().start();
  const { env, project } = offlineOpencodeEnv({ modelUrl: o.modelUrl, proxyUrl: proxy.url, password: o.password, ...(o.dir ? { dir: o.dir } : {}) });
  const child = spawn(opencodeBin(), ["serve", "--hostname", "127.0.0.1", "--port", "0", "--print-logs", "--log-level", process.env.CCCI_OPENCODE_LOG ?? "WARN"], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out = (out + d.toString("utf8")).slice(-20_000)));
  child.stderr!.on("data", (d: Buffer) => (out = (out + d.toString("utf8")).slice(-20_000)));
  const stop = () => stopChild(child).then(() => proxy.stop());
  try {
    const url = await listening(child, () => out, o.timeoutMs ?? 30_000);
    return { url, password: o.password, project, env, proxy, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits for `opencode server listening on http://…` on its output. */
async function listening(child: ChildProcess, out: () => string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/[^\s]+)/.exec(out());
    if (m) return m[1]!.replace(/\/+$/, "");
    if (child.exitCode !== null) throw new Error(`opencode serve exited ${child.exitCode}: ${out().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`opencode serve did not listen within ${timeoutMs} ms: ${out().slice(-2000)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
