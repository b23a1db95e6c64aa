/**
 * Replaces every occurrence of the given secrets in a text (docs/design.md#security: secrets never reach logs,
 * comments, pages or error replies). Secrets shorter than 4 characters are ignored: masking
 * them would shred ordinary text without protecting anything.
 */
export type Redactor = (text: string) => string;

export const REDACTED = "[redacted]";

export function makeRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const words = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  if (words.length === 0) return (text) => text;
  const pattern = new RegExp(words.map(escapeRegExp).join("|"), "g");
  return (text) => text.replace(pattern, REDACTED);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
