/**
 * Secrets (passwords, tokens) never reach a file or a printed line: every occurrence of one,
 * raw, URL-encoded or inside a basic-auth value, reads `<redacted>`.
 */
export const REDACTED = "<redacted>";

export class Redactor {
  private readonly secrets = new Set<string>();

  /** A secret to hide from now on; empty strings are ignored. */
  add(secret: string): this {
    if (!secret) return this;
    this.secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.secrets.add(encoded);
    return this;
  }

  /** A user's password, and the basic-auth value it makes with the user name. */
  addLogin(user: string, password: string): this {
    this.add(password);
    if (password) this.add(Buffer.from(`${user}:${password}`).toString("base64"));
    return this;
  }

  /** The text with every secret replaced, longest first (one secret may contain another). */
  text(s: string): string {
    let out = s;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** Bytes are redacted only when they contain a secret, so an untouched body keeps its exact bytes. */
  bytes(b: Buffer): Buffer {
    const s = b.toString("utf8");
    const r = this.text(s);
    return r === s ? b : Buffer.from(r, "utf8");
  }
}
