/**
 * How deeply a JSON text nests, found by one pass over its bytes without parsing it, giving up
 * as soon as it passes `limit`. JSON.parse of a body nested a million levels deep takes
 * seconds and hundreds of megabytes; this scan takes about a millisecond per megabyte and
 * refuses it first. Brackets inside strings do not count; the parser still checks the syntax.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++; // backslash: the next byte is escaped
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) {
      inString = true;
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > limit) return true;
    } else if (b === 0x7d || b === 0x5d) {
      depth--;
    }
  }
  return false;
}
