import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GiteaEmulator } from "../../src/emulator/index.ts";
import { authFor, emulate, recordedWorld } from "../support/recorded-world.ts";
import { recordings, type RecordedExchange, type Recording } from "../support/recordings.ts";
import { headerNames, shapeDiff, shapeOf } from "../support/shape.ts";
import { Recorder } from "../support/webhook-recorder.ts";

// The emulator checked against what real forges did (docs/design.md#gitea-facts: where they differ, the
// emulator is wrong): every recorded delivery and API answer must have the same header names,
// field paths and JSON types as the emulator's answer to the same action or request. A
// difference fails and names its path.
const API_HEADERS = ["content-type", "link", "x-total-count", "location"];

describe.each(recordings().map((r) => [r.name, r] as const))("%s", (_name, rec) => {
  it.each(rec.deliveries.map((d) => [d.name, d] as const))(`${rec.meta.source} delivery %s conforms`, async (_n, d) => {
    const rx = await new Recorder().listen(0);
    const emu = await recordedWorld(rec, rx.url);
    try {
      const from = rx.got.length;
      await emulate(emu, d);
      const sent = rx.got.slice(from).filter((g) => g.headers["x-gitea-event"] === d.event && g.body.action === d.body.action);
      expect(sent, `the emulator sent no ${d.event} delivery for ${d.name}`).toHaveLength(1);
      const headers = listDiff("header", headerNames(d.headers), headerNames(sent[0]!.headers));
      expect([...headers, ...shapeDiff(shapeOf(d.body), shapeOf(sent[0]!.body))].join("\n")).toBe("");
    } finally {
      await emu.close();
      await rx.close();
    }
  });

  if (rec.exchanges.length === 0) return;
  describe("API", () => {
    const answers = new Map<string, Answer>();
    let emu: GiteaEmulator;
    beforeAll(async () => {
      emu = await recordedWorld(rec);
      // In the recorded order: the requests change the world as they did on the real server.
      for (const x of rec.exchanges) answers.set(x.name, await replay(emu, x));
    });
    afterAll(() => emu?.close());

    it.each(rec.exchanges.map((x) => [x.name, x] as const))(`${rec.meta.source} exchange %s conforms`, (_n, x) => {
      const got = answers.get(x.name)!;
      expect(got.status, `${x.request.method} ${x.request.path} as ${x.request.as}`).toBe(x.response.status);
      const headers = listDiff("header", Object.keys(x.response.headers), Object.keys(got.headers));
      expect([...headers, ...shapeDiff(shapeOf(x.response.body), shapeOf(got.body))].join("\n")).toBe("");
    });
  });
});

/** Names the real one has and the emulator lacks, and the other way round. */
function listDiff(what: string, real: string[], emulated: string[]): string[] {
  return [
    ...real.filter((n) => !emulated.includes(n)).map((n) => `${what} ${n}: missing in the emulator`),
    ...emulated.filter((n) => !real.includes(n)).map((n) => `${what} ${n}: only in the emulator`),
  ];
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The recorded request sent to the emulator, as the recorded user, redirects not followed. */
async function replay(emu: GiteaEmulator, x: RecordedExchange): Promise<Answer> {
  const q = new URLSearchParams(x.request.query).toString();
  const res = await fetch(`${emu.url}${x.request.path}${q ? `?${q}` : ""}`, {
    method: x.request.method,
    redirect: "manual",
    headers: { ...authFor(x.request.as), ...(x.request.body === null ? {} : { "content-type": "application/json" }) },
    ...(x.request.body === null ? {} : { body: JSON.stringify(x.request.body) }),
  });
  const text = await res.text();
  const headers = Object.fromEntries(API_HEADERS.flatMap((h) => (res.headers.has(h) ? [[h, res.headers.get(h)!]] : [])));
  return { status: res.status, headers, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
}

export type { Recording };
