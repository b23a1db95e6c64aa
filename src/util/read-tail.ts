import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";

/** The last `max` bytes of a file (a run log can be large). */
export function readTail(path: string, max: number): string {
  if (!existsSync(path)) return "";
  const size = statSync(path).size;
  const length = Math.min(size, max);
  const buf = Buffer.alloc(length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buf.toString("utf8");
}
