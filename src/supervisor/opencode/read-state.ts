import type { AgentState } from "../agent-sessions.ts";
import { waitingUntilIn } from "../profiles/profile.ts";
import type { OpencodeMessage, OpencodeSession, OpencodeStatus } from "./client.ts";

/**
 * What an opencode session is doing, from the server's own words (opencode 1.18.33):
 * - `GET /session/status` has no entry for an idle session, `busy` while a turn runs, and
 *   `retry` (with `next`, epoch ms) while it waits out a provider error such as a 429: a limit
 *   whose window ends at `next`;
 * - the last turn's assistant message carries `info.error` when the turn failed: an `APIError`
 *   with status 429 is a limit (its reset unknown), a non-retryable one is fatal (only a fresh
 *   session helps), a 401/403 or `ProviderAuthError` means the credentials are wrong (an alert:
 *   a restart cannot help); an aborted turn is just idle;
 * - otherwise the last assistant message is the last reply, and `WAITING-UNTIL:` ending it says
 *   when the agent means to wake itself.
 * Only the newest turn counts: an error on an older message is history. `now` is the server's
 * clock (real time): message times are the server's.
 */
/** How long a prompt may wait for its turn before the session counts as stuck rather than busy. */
export const PENDING_PROMPT_MS = 2 * 60_000;

export function readState(session: OpencodeSession, status: OpencodeStatus | undefined, messages: readonly OpencodeMessage[], now: number): AgentState {
  const newest = messages.at(-1);
  const activity = `${session.id}:${newest?.info.id ?? "-"}:${newest?.info.time.completed ?? newest?.info.time.created ?? session.time.updated ?? session.time.created}`;
  const lastAssistant = [...messages].reverse().find((m) => m.info.role === "assistant");
  const lastReply = lastAssistant ? replyText(lastAssistant) : null;
  const base = { lastReply, activity };

  if (status?.type === "retry") {
    const detail = `opencode retries (attempt ${status.attempt ?? "?"}): ${status.message ?? "provider error"}`;
    return { ...base, kind: "limit", limitResetAt: status.next ?? null, detail };
  }
  if (status?.type === "busy") return { ...base, kind: "busy", detail: "a turn is running" };

  // A prompt the server took and has not answered yet: its turn is about to run (a project's
  // first turn starts seconds later). One left unanswered for long is not busy but stuck: read
  // it as idle, so the idle time can heal it.
  if (newest?.info.role === "user" && now - newest.info.time.created < PENDING_PROMPT_MS) return { ...base, kind: "busy", detail: "a prompt waits for its turn" };
  const err = newest?.info.role === "assistant" ? newest.info.error : undefined;
  if (err) {
    const code = err.data?.statusCode;
    const text = oneLine(`${err.name}${code ? ` ${code}` : ""}: ${err.data?.message ?? ""}`);
    if (err.name === "ProviderAuthError" || code === 401 || code === 403) {
      return { ...base, kind: "fatal", fatalReason: text, detail: text, alert: { kind: "credentials", message: `the model provider refused the credentials: ${text}` } };
    }
    if (code === 429) return { ...base, kind: "limit", limitResetAt: null, detail: text };
    if (err.name === "APIError" && err.data?.isRetryable === false) return { ...base, kind: "fatal", fatalReason: text, detail: text };
  }
  const wake = waitingUntilIn(lastReply);
  if (wake !== null && newest === lastAssistant) return { ...base, kind: "waiting", waitingUntil: wake, detail: `WAITING-UNTIL ${new Date(wake).toISOString()}` };
  return { ...base, kind: "idle" };
}

function replyText(m: OpencodeMessage): string | null {
  const text = m.parts
    .filter((p) => p.type === "text" && typeof p.text === "string")
    .map((p) => p.text!)
    .join("\n")
    .trim();
  return text === "" ? null : text;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim().slice(0, 300);
}
