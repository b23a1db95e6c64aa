import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { join } from "node:path";
import { SqlWriter } from "../../src/store/writer.ts";
import { tempDir } from "../support/bot.ts";

describe("the store's writer thread", () => {
  let writer: SqlWriter | null = null;
  afterEach(async () => {
    await writer?.close();
    writer = null;
  });

  /** A store file with `schema`, and a writer for it with `statements`. */
  function open(
    schema = "CREATE TABLE t (seq INTEGER PRIMARY KEY, v TEXT NOT NULL)",
    statements: Record<string, string | string[]> = { "t.insert": "INSERT INTO t (v) VALUES (?)" },
  ): { file: string; writer: SqlWriter } {
    const file = join(tempDir(), "writer.sqlite");
    const setup = new Database(file);
    setup.pragma("journal_mode = WAL");
    setup.exec(schema);
    setup.close();
    writer = new SqlWriter(file, "FULL", statements);
    return { file, writer };
  }

  it("settles a committed batch in the turn of the next write, while the event loop is busy", async () => {
    const { file, writer } = open();
    const first = writer.insert("t.insert", ["first"]);
    let firstSettled = false;
    void first.then(() => (firstSettled = true));
    // Let the batch go to the writer, then keep the event loop busy (as a burst of requests
    // would) until its commit is visible on disk.
    await new Promise((r) => setImmediate(r));
    const reader = new Database(file, { readonly: true });
    const deadline = Date.now() + 10_000;
    while ((reader.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n === 0) {
      if (Date.now() > deadline) throw new Error("the first write never committed");
    }
    reader.close();
    // More writes, with only microtasks between them: the event loop does not turn, so the
    // first batch can settle only because a write took its answer from the channel.
    const more: Array<Promise<number>> = [];
    while (!firstSettled) {
      if (Date.now() > deadline) throw new Error("the first batch did not settle while the event loop was busy");
      more.push(writer.insert("t.insert", [`more ${more.length}`]));
      await Promise.resolve();
      await Promise.resolve();
      const until = Date.now() + 1;
      while (Date.now() < until); // the answer is posted just after the commit: give it a moment
    }
    expect(await first).toBe(1);
    expect(await Promise.all(more)).toEqual(more.map((_, i) => i + 2));
  });

  it("runs several statements with one list of positional parameters each, or with the same named ones", async () => {
    const pair = [
      "INSERT INTO a (v) VALUES (?) ON CONFLICT DO NOTHING",
      // Only after a new row above, with that row's id.
      "INSERT INTO b (seq, note) SELECT last_insert_rowid(), ? WHERE changes() = 1",
    ];
    const { file, writer } = open("CREATE TABLE a (seq INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE); CREATE TABLE b (seq INTEGER PRIMARY KEY, note TEXT NOT NULL)", {
      positional: pair,
      named: pair.map((sql, i) => sql.replace("?", i === 0 ? "@v" : "@note")),
    });
    expect(await writer.write("positional", [["x"], ["note of x"]])).toEqual({ changes: 1, lastId: 1 });
    expect(await writer.write("positional", [["x"], ["not stored: x is there"]])).toMatchObject({ changes: 0 });
    expect(await writer.write("named", { v: "y", note: "note of y" })).toEqual({ changes: 1, lastId: 2 });
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT seq, note FROM b ORDER BY seq").all()).toEqual([
      { seq: 1, note: "note of x" },
      { seq: 2, note: "note of y" },
    ]);
    check.close();
  });

  it("fails an unknown statement alone, and refuses writes once closed", async () => {
    const { writer } = open();
    expect(await writer.insert("t.insert", ["kept"])).toBe(1);
    await expect(writer.run("t.missing", [])).rejects.toThrow(/unknown write statement t\.missing/);
    await writer.close();
    await expect(writer.run("t.insert", ["late"])).rejects.toThrow(/the store is closed/);
  });
});
