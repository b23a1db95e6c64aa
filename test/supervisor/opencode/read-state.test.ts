import { describe, expect, it } from "vitest";
import type { OpencodeMessage, OpencodeStatus } from "../../../src/supervisor/opencode/client.ts";
import { PENDING_PROMPT_MS, readState } from "../../../src/supervisor/opencode/read-state.ts";

// The reading of opencode 1.18.33's answers (shapes as its server returns them; the real server
// is exercised in opencode-sessions.test.ts). Only the newest turn describes the present.

const NOW = Date.parse("2026-11-24T10:00:00Z");
const session = { id: "ses_1", title: "builder", time: { created: NOW - 60_000, updated: NOW - 1000 } };
let n = 0;
const user = (text: string, at = NOW - 5000): OpencodeMessage => ({ info: { id: `msg_${++n}`, role: "user", time: { created: at } }, parts: [{ type: "text", text }] });
const reply = (text: string, error?: OpencodeMessage["info"]["error"]): OpencodeMessage => ({
  info: { id: `msg_${++n}`, role: "assistant", time: { created: NOW - 4000, completed: NOW - 3000 }, ...(error ? { error } : {}) },
  parts: [{ type: "step-start" }, ...(text ? [{ type: "text", text }] : []), { type: "step-finish" }],
});
const apiError = (statusCode: number, isRetryable: boolean, message = "boom") => ({ name: "APIError", data: { message, statusCode, isRetryable } });

const cases: Array<[string, OpencodeStatus | undefined, OpencodeMessage[], Record<string, unknown>]> = [
  ["no messages yet", undefined, [], { kind: "idle", lastReply: null }],
  ["a finished turn", undefined, [user("go"), reply("done")], { kind: "idle", lastReply: "done" }],
  ["a running turn", { type: "busy" }, [user("go")], { kind: "busy" }],
  ["a retry (429 with retry-after)", { type: "retry", attempt: 2, message: "Rate limit reached", next: NOW + 30_000 }, [user("go")], { kind: "limit", limitResetAt: NOW + 30_000 }],
  ["a prompt taken, its turn not started", undefined, [user("go", NOW - 2000)], { kind: "busy" }],
  ["a prompt left unanswered for long: stuck, so idle", undefined, [user("go", NOW - PENDING_PROMPT_MS - 1)], { kind: "idle" }],
  ["a 429 APIError on the last turn", undefined, [user("go"), reply("", apiError(429, true))], { kind: "limit", limitResetAt: null }],
  ["a non-retryable 400 on the last turn", undefined, [user("go"), reply("", apiError(400, false, "redacted_thinking blocks cannot be modified"))], { kind: "fatal", fatalReason: "APIError 400: redacted_thinking blocks cannot be modified" }],
  ["a retryable 500 that opencode gave up on", undefined, [user("go"), reply("", apiError(500, true))], { kind: "idle" }],
  ["a 400 followed by a later good turn: history", undefined, [user("a"), reply("", apiError(400, false)), user("b"), reply("fine now")], { kind: "idle", lastReply: "fine now" }],
  ["an aborted turn", undefined, [user("go"), reply("partial", { name: "MessageAbortedError", data: { message: "aborted" } })], { kind: "idle", lastReply: "partial" }],
  ["wrong credentials", undefined, [user("go"), reply("", apiError(401, false, "Invalid API key"))], { kind: "fatal", alert: { kind: "credentials", message: "the model provider refused the credentials: APIError 401: Invalid API key" } }],
  ["WAITING-UNTIL ending the last reply", undefined, [user("go"), reply("Run 42 is queued.\n\nWAITING-UNTIL: 2026-11-24T10:30:00Z")], { kind: "waiting", waitingUntil: Date.parse("2026-11-24T10:30:00Z") }],
  ["WAITING-UNTIL not at the end", undefined, [user("go"), reply("WAITING-UNTIL: 2026-11-24T10:30:00Z\nactually, woke up")], { kind: "idle" }],
  ["WAITING-UNTIL in an older reply, a prompt since", { type: "busy" }, [reply("WAITING-UNTIL: 2026-11-24T10:30:00Z"), user("ping")], { kind: "busy" }],
];

describe("reading an opencode session", () => {
  it.each(cases)("%s", (_name, status, messages, expected) => {
    expect(readState(session, status, messages, NOW)).toMatchObject(expected);
  });

  it("activity changes with each new message, not with status polls", () => {
    const msgs = [user("go"), reply("done")];
    const a = readState(session, undefined, msgs, NOW).activity;
    expect(readState(session, undefined, msgs, NOW + 60_000).activity).toBe(a);
    expect(readState(session, undefined, [...msgs, user("more")], NOW).activity).not.toBe(a);
  });
});
