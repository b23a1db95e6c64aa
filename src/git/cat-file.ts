import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import type { Socket } from "node:net";

interface Waiter {
  resolve: (content: Buffer | null) => void;
  reject: (err: Error) => void;
}

/**
 * One long-running `git cat-file --batch` per mirror: an object read (a file at a commit for
 * the phase check, a commit's presence) is a line written and an answer read, not a git process
 * started each time (~5-10 ms each, more on a loaded machine). Objects fetched after it started
 * are found too: git looks for new packs when an object is missing. Started on first use; it
 * does not keep the bot alive while idle, and is started again if it dies.
 */
export class CatFile {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly dir: string,
    private readonly env: Record<string, string>,
  ) {}

  /** The object named by `spec` (`<sha>:<path>`, `<sha>^{commit}`), or null when there is none. */
  read(spec: string): Promise<Buffer | null> {
    // One request per line: a name with a line break in it cannot be asked for (and names nothing).
    if (/[\n\r]/.test(spec)) return Promise.resolve(null);
    const child = this.started();
    return new Promise<Buffer | null>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.setRef(true);
      child.stdin.write(`${spec}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = null;
  }

  private started(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn("git", ["cat-file", "--batch"], { cwd: this.dir, env: this.env, stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.answer();
    });
    child.stderr.resume();
    const fail = (err: Error) => {
      if (this.child === child) this.child = null;
      this.buf = Buffer.alloc(0);
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`git cat-file --batch exited (${code})`)));
    child.stdin.on("error", () => undefined);
    this.child = child;
    this.setRef(false);
    return child;
  }

  /** Hands out every complete answer in the buffer, in the order asked. */
  private answer(): void {
    for (;;) {
      const eol = this.buf.indexOf(0x0a);
      if (eol < 0) return;
      const header = this.buf.subarray(0, eol).toString("utf8");
      let content: Buffer | null = null;
      if (/ (missing|ambiguous)$/.test(header)) {
        this.buf = this.buf.subarray(eol + 1);
      } else {
        const size = Number(header.split(" ")[2]);
        if (this.buf.length < eol + 1 + size + 1) return;
        content = Buffer.from(this.buf.subarray(eol + 1, eol + 1 + size));
        this.buf = this.buf.subarray(eol + 1 + size + 1);
      }
      if (this.waiting.length === 1) this.setRef(false);
      this.waiting.shift()?.resolve(content);
    }
  }

  /** Keeps the process alive only while an answer is awaited. */
  private setRef(on: boolean): void {
    const c = this.child;
    if (!c) return;
    for (const s of [c.stdout, c.stdin, c.stderr] as unknown as Socket[]) (on ? s.ref : s.unref)?.call(s);
    if (on) c.ref();
    else c.unref();
  }
}
