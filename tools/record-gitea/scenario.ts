import { GiteaApi, type Credentials } from "../../test/e2e/support/gitea-api.ts";
import { play } from "./actions.ts";
import { playApi } from "./api-step.ts";
import { API_ORGS } from "./api-steps-orgs.ts";
import { API_PRS } from "./api-steps-prs.ts";
import { HOOK_EVENTS, REPO, SECRET, type Ctx } from "./context.ts";
import { basic } from "./exchange.ts";
import { detectForge, forgeJson } from "./forge.ts";
import { GitWorkspace } from "./git.ts";
import { Output } from "./output.ts";
import { ACTIONS_A, setupA } from "./phase-a.ts";
import { ACTIONS_B } from "./phase-b.ts";
import { setupB } from "./phase-b-setup.ts";
import { readme } from "./readme.ts";
import { Receiver } from "./receiver.ts";
import { Redactor } from "./redact.ts";
import { checkFresh, ensureGadmin } from "./setup.ts";

export interface RecordOptions {
  url: string;
  admin: Credentials;
  out: string;
  deadlineMs: number;
  settleMs: number;
  print: (line: string) => void;
}

export const ALL_ACTIONS = [...ACTIONS_A, ...ACTIONS_B];
export const ALL_API = [...API_PRS, ...API_ORGS];

/** Checks that the admin is a site admin of a server that does not have the scenario's names yet. */
async function checkServer(given: GiteaApi): Promise<void> {
  const me = await given.call<{ is_admin?: boolean }>("GET", "/user", undefined, [401, 403]);
  if (me.status !== 200) throw new Error(`the server refused --admin ${given.as.user} (${me.status}): check the user name and password`);
  if (!me.data.is_admin) throw new Error(`--admin ${given.as.user} is not a site admin`);
  await checkFresh(given);
}

/** Plays the whole story against the server and writes the recording; returns what was written. */
export async function record(o: RecordOptions): Promise<{ deliveries: number; exchanges: number; missing: string[] }> {
  const redact = new Redactor().addLogin(o.admin.user, o.admin.password);
  const log = (line: string) => o.print(redact.text(line));
  const out = new Output(o.out, redact);
  const info = await detectForge(o.url);
  log(`${info.forge} ${info.version} at ${o.url} (flavour ${info.flavour})`);
  const given = new GiteaApi(o.url, o.admin);
  await checkServer(given);
  out.prepare();
  const rx = await new Receiver().listen();
  let git: GitWorkspace | null = null;
  try {
    const admin = await ensureGadmin(given, redact, log);
    const email = (await admin.get<{ email: string }>("/user")).email;
    git = new GitWorkspace({ ...admin.as, name: "Gitea Admin", email }, redact);
    await git.check();
    const ctx: Ctx = {
      url: o.url,
      admin,
      users: new Map([["gadmin", admin.as]]),
      auth: { "bot token": null, "org member token": null, "admin basic": basic(admin.as.user, admin.as.password), "bad token": null, none: null },
      git,
      clone: null,
      rx,
      out,
      redact,
      opts: { deadlineMs: o.deadlineMs, settleMs: o.settleMs },
      log,
      state: new Map(),
      missing: [],
    };

    await setupA(ctx);
    for (const a of ACTIONS_A) await play(ctx, a);
    await setupB(ctx);
    for (const s of ALL_API) await playApi(ctx, s);
    await ctx.admin.createHook(REPO, rx.url(), SECRET, HOOK_EVENTS);
    log(`webhook added to the new ${REPO}`);
    for (const a of ACTIONS_B) await play(ctx, a);

    const deliveries = out.written.filter((f) => f.endsWith(".body.json")).map((f) => f.replace(/\.body\.json$/, ""));
    const origin = new URL(o.url).origin;
    out.write("forge.json", forgeJson(info));
    out.write("README.md", readme({ info, origin, date: new Date().toISOString(), actions: ALL_ACTIONS, deliveries, exchanges: out.exchanges, missing: ctx.missing, settleMs: o.settleMs }));
    return { deliveries: out.deliveries, exchanges: out.exchanges, missing: ctx.missing };
  } finally {
    await rx.close();
    git?.remove();
  }
}
