/**
 * The shape of a JSON value: every field path with its JSON type. Array elements share one
 * path (`commits[]`) and their shapes are merged; an empty array has only its own path.
 */
export type Shape = Map<string, Set<string>>;

export function shapeOf(value: unknown, path = "$", into: Shape = new Map()): Shape {
  const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  const types = into.get(path) ?? new Set<string>();
  types.add(type);
  into.set(path, types);
  if (Array.isArray(value)) for (const v of value) shapeOf(v, `${path}[]`, into);
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) shapeOf(v, `${path}.${k}`, into);
  return into;
}

/** Every difference between a real shape and the emulator's, one line each naming the path. */
export function shapeDiff(real: Shape, emulated: Shape): string[] {
  const out: string[] = [];
  for (const [path, types] of real) {
    const mine = emulated.get(path);
    if (!mine) out.push(`${path}: missing in the emulator (real: ${[...types].join("|")})`);
    else if ([...types].sort().join("|") !== [...mine].sort().join("|")) out.push(`${path}: real ${[...types].sort().join("|")}, emulator ${[...mine].sort().join("|")}`);
  }
  for (const [path, types] of emulated) if (!real.has(path)) out.push(`${path}: only in the emulator (${[...types].join("|")})`);
  return out;
}

/** Header names a delivery carries, without the ones the transport sets per connection. */
export function headerNames(headers: Record<string, unknown>): string[] {
  return Object.keys(headers)
    .map((h) => h.toLowerCase())
    .filter((h) => !["host", "connection", "content-length", "transfer-encoding"].includes(h))
    .sort();
}
