import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Flavour } from "../../src/emulator/index.ts";

/**
 * What real forges did, kept as data (test/fixtures/forges/<forge-version>/): webhook
 * deliveries as received (`NNN-<event>[-<action>].headers.json` and the exact body bytes) and
 * API exchanges (`api/NN-<name>.json`), written by `npm run record:gitea` against a live
 * server (`source: recorded`) or derived from a newer server's source (`source: derived`).
 */
export const FORGES_DIR = fileURLToPath(new URL("../fixtures/forges", import.meta.url));

export interface ForgeMeta {
  forge: "gitea" | "forgejo";
  version: string;
  flavour: Flavour;
  source: "recorded" | "derived";
  secret: string;
}

export interface RecordedDelivery {
  name: string;
  event: string;
  action: string | undefined;
  headers: Record<string, string>;
  /** The exact bytes the forge sent (signatures are over these). */
  bytes: Buffer;
  body: Record<string, unknown>;
}

export interface RecordedExchange {
  name: string;
  request: { method: string; path: string; query: Record<string, string>; as: "bot token" | "org member token" | "admin basic" | "bad token" | "none"; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

export interface Recording {
  name: string;
  dir: string;
  meta: ForgeMeta;
  deliveries: RecordedDelivery[];
  exchanges: RecordedExchange[];
}

const json = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

export function recording(name: string): Recording {
  const dir = join(FORGES_DIR, name);
  const meta = json(join(dir, "forge.json")) as ForgeMeta;
  const deliveries = readdirSync(dir)
    .filter((f) => f.endsWith(".body.json"))
    .map((f) => {
      const base = f.replace(/\.body\.json$/, "");
      const headers = json(join(dir, `${base}.headers.json`)) as Record<string, string>;
      const bytes = readFileSync(join(dir, f));
      const body = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
      const event = headers["x-gitea-event"] ?? headers["x-forgejo-event"] ?? "";
      return { name: base, event, action: typeof body.action === "string" ? body.action : undefined, headers, bytes, body };
    })
    // In arrival order: a further delivery of one action (`NNN-….2`) after the first.
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const apiDir = join(dir, "api");
  const exchanges = existsSync(apiDir)
    ? readdirSync(apiDir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => ({ name: f.replace(/\.json$/, ""), ...(json(join(apiDir, f)) as Omit<RecordedExchange, "name">) }))
    : [];
  return { name, dir, meta, deliveries, exchanges };
}

/** Every recorded or derived forge, oldest first by folder name. */
export function recordings(): Recording[] {
  return readdirSync(FORGES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FORGES_DIR, d.name, "forge.json")))
    .map((d) => recording(d.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}
