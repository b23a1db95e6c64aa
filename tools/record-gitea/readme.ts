import type { ActionStep } from "./actions.ts";
import { HOOK_EVENTS, SECRET } from "./context.ts";
import type { ForgeInfo } from "./forge.ts";

export interface ReadmeFacts {
  info: ForgeInfo;
  /** The server's origin (no credentials). */
  origin: string;
  date: string;
  actions: ActionStep[];
  /** Delivery file names written (without .headers/.body.json). */
  deliveries: string[];
  exchanges: number;
  missing: string[];
  settleMs: number;
}

/** The README.md of a recording folder: what each file is, from which server, when. */
export function readme(f: ReadmeFacts): string {
  const name = `${f.info.forge === "forgejo" ? "Forgejo" : "Gitea"} ${f.info.version}`;
  const rows = f.actions.map((a) => {
    const files = f.deliveries.filter((d) => a.expects.some((e) => d === e.file || d.startsWith(`${e.file}.`)));
    return `| ${files.join(", ") || "(none)"} | ${a.what} |`;
  });
  const extras = f.deliveries.filter((d) => /\.\d+$/.test(d));
  return `# Real ${name} webhook deliveries and API exchanges

Recorded ${f.date} from a real ${name} (${f.origin}; flavour \`${f.info.flavour}\`, see \`forge.json\`) by
\`npm run record:gitea\` (tools/record-gitea), which plays the scenario of the \`gitea-1.15.11\`
recording and writes the same file names. IDs, SHAs, timestamps and ports are this run's own.

Each delivery is two files:

- \`NNN-<event>[-<action>].headers.json\`: the request headers exactly as received (lower-cased names, in
  arrival order; \`host\`, the receiver's own address, left out).
- \`NNN-<event>[-<action>].body.json\`: the exact body bytes. Verify signatures over these bytes,
  never over a re-serialised object.

Webhook secret used for every delivery: \`${SECRET}\`. The webhook subscribes to
${HOOK_EVENTS.map((e) => `\`${e}\``).join(", ")}. The receiver answered 200 to every delivery.

**Several deliveries for one action.** The plain name holds the delivery the 1.15.11 recording has
under that name (matched by event and action). Any further delivery the same action caused (a newer
server may send more) follows in arrival order as \`<last file of the action>.2.headers.json\` /
\`.2.body.json\`, \`.3\`, …; ${extras.length > 0 ? `this run has: ${extras.map((e) => `\`${e}\``).join(", ")}` : "this run has none"}.
${f.missing.length > 0 ? `\n**Missing:** the server sent no delivery for ${f.missing.map((m) => `\`${m}\``).join(", ")}.\n` : ""}
| files | what happened |
| --- | --- |
${rows.join("\n")}

001–008 ("phase A"): users \`gadmin\` (site admin, the bot's account then), \`bob\` (write collaborator on
\`e2e-org/demo\`), \`carol\` (no rights). That \`demo\` is then deleted and made anew, so that
009–020 and \`api/\` ("phase B") start again at PR #1: \`gadmin\` (merges and pushes), \`ci-bot\` (the bot:
plain user, write collaborator on \`e2e-org/demo\`, not an org member), \`bob\` (member of \`e2e-org\`
through team \`devs\` (write), membership private; opens PRs #1–#3 from \`feature-a..c\`), \`dave\` (member,
membership public; owns \`tool-1..3\`), \`carol\` (no rights). Repos \`e2e-org/demo\`, \`loop\`, \`extra\`
(auto-init, branch \`main\`). Phase B's webhook is added after the exchanges, so \`api/\` sent none.

## \`api/\`: ${f.exchanges} API exchanges

One file per exchange, \`NN-<name>.json\`, in the order they were made:
\`{"request": {method, path, query, as, body}, "response": {status, headers, body}}\`.

- \`path\` is the full URL path; \`query\` the query string as sent (values are strings); \`body\` the
  JSON sent, or \`null\`.
- \`as\`: \`bot token\` (\`ci-bot\`'s token as \`Authorization: Bearer\`), \`org member token\` (\`bob\`'s),
  \`admin basic\` (\`gadmin\`, basic auth), \`bad token\` (a well-formed token the server does not know), \`none\`.
- \`response.headers\` keeps only \`content-type\`, \`link\`, \`x-total-count\` and \`location\` (names
  lower-cased), when sent. \`response.body\` is the parsed JSON, or the raw text (\`""\` for an empty body).
- Redirects are not followed. Tokens and passwords anywhere in these files would read \`<redacted>\`.

Not recorded: the bot's comment \`to be deleted\` made just before 15 (17 deletes it).

## Waits

Every wait is a condition with a deadline (a delivery arrived, a PR became mergeable), with two
exceptions about time: after an action's expected deliveries the recorder waits until the receiver
has been quiet for ${f.settleMs} ms (so a late extra delivery lands in that action's files), and before
19 it waits until the server's clock (its \`Date\` header) has passed the second of 18: statuses are
listed newest first by the second, so 20 lists \`success\` then \`pending\` (1.15.11 had them in one second).
`;
}
