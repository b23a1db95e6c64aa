import type { Delivery } from "./receiver.ts";

/** A delivery an action must cause, and the file it goes to (the 1.15.11 recording's name). */
export interface Expected {
  file: string;
  event: string;
  action?: string;
}

/** The event a delivery names (Gitea's header; Forgejo and Gogs name it too). */
export function eventOf(d: Delivery): string {
  return d.headers["x-gitea-event"] ?? d.headers["x-forgejo-event"] ?? d.headers["x-gogs-event"] ?? "";
}

/** The payload's `action`, if the body is JSON and has one. */
export function actionOf(d: Delivery): string | undefined {
  try {
    const a = (JSON.parse(d.body.toString("utf8")) as { action?: unknown }).action;
    return typeof a === "string" ? a : undefined;
  } catch {
    return undefined;
  }
}

export function describe(d: Delivery): string {
  const a = actionOf(d);
  return a ? `${eventOf(d)}/${a}` : eventOf(d);
}

export interface Assignment {
  /** File name -> delivery, in file order: the expected ones first, then the extras. */
  files: Array<[string, Delivery]>;
  missing: Expected[];
  extras: number;
}

/**
 * Which delivery goes to which file. Each expected delivery is the first arrival with its event
 * (and action); it keeps the plain name. Every other arrival the action caused is an extra, kept
 * in arrival order as `<last file of the action>.2`, `.3`, …
 */
export function assign(expected: Expected[], arrivals: Delivery[]): Assignment {
  const used = new Set<number>();
  const files: Array<[string, Delivery]> = [];
  const missing: Expected[] = [];
  for (const e of expected) {
    const i = arrivals.findIndex((d, k) => !used.has(k) && eventOf(d) === e.event && (e.action === undefined || actionOf(d) === e.action));
    if (i < 0) missing.push(e);
    else {
      used.add(i);
      files.push([e.file, arrivals[i]!]);
    }
  }
  const last = expected.at(-1)?.file ?? "extra";
  let n = 1;
  for (const [k, d] of arrivals.entries()) if (!used.has(k)) files.push([`${last}.${++n}`, d]);
  return { files, missing, extras: n - 1 };
}

/** Whether every expected delivery is among the arrivals. */
export function complete(expected: Expected[], arrivals: Delivery[]): boolean {
  return assign(expected, arrivals).missing.length === 0;
}
