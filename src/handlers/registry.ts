import type { BotDeps } from "../main.ts";
import type { Handler } from "./handler.ts";

/**
 * The explicit list of behaviours (DESIGN practice 3): each entry is one file under
 * src/handlers, wired here with only the ports it uses.
 */
export function createHandlers(_deps: BotDeps): Handler[] {
  return [];
}
