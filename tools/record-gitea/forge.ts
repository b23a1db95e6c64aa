import { SECRET } from "./context.ts";

export type Flavour = "gitea-1.15" | "gitea-modern" | "forgejo";

export interface ForgeInfo {
  forge: "gitea" | "forgejo";
  version: string;
  flavour: Flavour;
  source: "recorded";
  secret: string;
}

/** What `forge.json` says for a version string (as GET /api/v1/version answers it). */
export function forgeInfo(version: string, forgejoEndpoint = false): ForgeInfo {
  const forgejo = forgejoEndpoint || /forgejo|\+gitea-/i.test(version);
  const flavour: Flavour = forgejo ? "forgejo" : /^v?1\.15\./.test(version) ? "gitea-1.15" : "gitea-modern";
  return { forge: forgejo ? "forgejo" : "gitea", version, flavour, source: "recorded", secret: SECRET };
}

/** Asks the server its version, and whether it is Forgejo (which also answers /api/forgejo/v1/version). */
export async function detectForge(url: string): Promise<ForgeInfo> {
  const res = await fetch(`${url}/api/v1/version`).catch((err: Error) => {
    throw new Error(`${url} does not answer (${err.message})`);
  });
  const text = await res.text();
  let version: unknown;
  try {
    version = (JSON.parse(text) as { version?: unknown }).version;
  } catch {
    version = undefined;
  }
  if (!res.ok || typeof version !== "string") throw new Error(`${url} is not a Gitea or Forgejo: GET /api/v1/version answered ${res.status} ${text.slice(0, 80).replace(/\s+/g, " ")}`);
  const fj = await fetch(`${url}/api/forgejo/v1/version`).then(
    async (r) => r.ok && /"version"/.test(await r.text()),
    () => false,
  );
  return forgeInfo(version, fj);
}

export function forgeJson(info: ForgeInfo): string {
  return `${JSON.stringify(info, null, 2)}\n`;
}
