import { commandLines } from "./comment-lines.ts";

export interface ParsedCommand {
  name: string;
  args: string[];
  rest: string;
}

/** Each line of a comment that starts with `/word` (outside quotes and fences) is a command. */
export function parseCommands(body: string): ParsedCommand[] {
  const out: ParsedCommand[] = [];
  for (const line of commandLines(body)) {
    const m = /^\/([a-z][a-z0-9-]*)(?:\s+(.*))?$/i.exec(line);
    if (!m) continue;
    const rest = (m[2] ?? "").trim();
    out.push({ name: m[1]!.toLowerCase(), args: rest === "" ? [] : rest.split(/\s+/), rest });
  }
  return out;
}
