import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Exchange } from "./exchange.ts";
import { exchangeText } from "./exchange.ts";
import type { Delivery } from "./receiver.ts";
import type { Redactor } from "./redact.ts";

/**
 * The recording folder: `NNN-<event>[-<action>].headers.json` / `.body.json` per delivery,
 * `api/NN-<name>.json` per exchange, and any text file. Everything passes the redactor.
 */
export class Output {
  deliveries = 0;
  exchanges = 0;
  readonly written: string[] = [];

  constructor(
    readonly dir: string,
    private readonly redact: Redactor,
  ) {}

  /** Creates the folder; refuses one that already holds files (a recording is never merged into another). */
  prepare(): void {
    if (existsSync(this.dir) && readdirSync(this.dir).length > 0) throw new Error(`--out ${this.dir} is not empty: give a new or empty folder`);
    mkdirSync(join(this.dir, "api"), { recursive: true });
  }

  delivery(name: string, d: Delivery): void {
    this.write(`${name}.headers.json`, `${JSON.stringify(d.headers, null, 2)}\n`);
    this.writeBytes(`${name}.body.json`, d.body);
    this.deliveries++;
  }

  exchange(name: string, ex: Exchange): void {
    this.write(join("api", `${name}.json`), exchangeText(ex));
    this.exchanges++;
  }

  write(rel: string, text: string): void {
    writeFileSync(join(this.dir, rel), this.redact.text(text));
    this.written.push(rel);
  }

  private writeBytes(rel: string, bytes: Buffer): void {
    writeFileSync(join(this.dir, rel), this.redact.bytes(bytes));
    this.written.push(rel);
  }
}
