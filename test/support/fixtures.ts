import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** Real Gitea 1.15.11 deliveries (test/fixtures/forges). */
export const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/forges/gitea-1.15.11", import.meta.url));
export const FIXTURE_SECRET = "e2e-webhook-secret-123";

export interface Fixture {
  name: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function fixtureNames(): string[] {
  if (!existsSync(FIXTURE_DIR)) throw new Error(`fixtures not found at ${FIXTURE_DIR}`);
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".body.json"))
    .map((f) => f.replace(/\.body\.json$/, ""))
    .sort();
}

export function fixture(name: string): Fixture {
  return {
    name,
    headers: JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.headers.json`), "utf8")) as Record<string, string>,
    body: readFileSync(join(FIXTURE_DIR, `${name}.body.json`)),
  };
}

/** The headers a client sends itself; content-length is recomputed, accept-encoding dropped. */
export function sendableHeaders(headers: Record<string, string>): Record<string, string> {
  const { "content-length": _len, "accept-encoding": _enc, ...rest } = headers;
  return rest;
}
