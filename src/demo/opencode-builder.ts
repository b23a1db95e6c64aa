import { execa } from "execa";
import { join } from "node:path";
// The demo borrows the test harness: opencode fully offline (docs/design.md#agents-as-they-really-are) and a fake model.
import { startFakeModel, type FakeModel } from "../../test/support/fake-model.ts";
import { opencodeBin, startOpencodeServer, type OpencodeServer } from "../../test/support/opencode.ts";

export interface OpencodeBuilder {
  server: OpencodeServer;
  model: FakeModel;
  /** Starts the builder as the loops do: `opencode run --attach URL --title demo-builder <kickoff>`. */
  launch(kickoff: string): Promise<string>;
  /** What the model was asked last (the builder's newest prompt), waiting up to 30 s for a new one. */
  lastPrompt(): Promise<string>;
  stop(): Promise<void>;
}

/** An opencode server (offline, against a fake model on loopback) for the demo's builder. */
export async function startOpencodeBuilder(dir: string): Promise<OpencodeBuilder> {
  const model = await startFakeModel();
  model.set({ kind: "reply", text: "On it." });
  const server = await startOpencodeServer({ modelUrl: model.url, dir: join(dir, "opencode") }).catch(async (err: unknown) => {
    await model.stop();
    throw err;
  });
  let seen = 0;
  return {
    server,
    model,
    async launch(kickoff) {
      const r = await execa(opencodeBin(), ["run", "--attach", server.url, "--title", "demo-builder", kickoff], { env: server.env, extendEnv: false, cwd: server.project, stdin: "ignore", timeout: 120_000, reject: false });
      seen = model.requests.length;
      // `opencode run` reads a piped stdin into its message: it gets none.
      if (r.exitCode !== 0) return `opencode run failed (${r.exitCode ?? r.signal ?? "?"}): ${firstLine(r.stderr || String(r.message ?? ""))}`;
      return `opencode run exited 0; the model got: ${model.requests.at(-1)?.prompt ?? "(nothing)"}`;
    },
    async lastPrompt() {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
        if (model.requests.length > seen) return model.requests[(seen = model.requests.length) - 1]!.prompt;
        await new Promise((r) => setTimeout(r, 50));
      }
      return "(nothing arrived)";
    },
    async stop() {
      await server.stop();
      await model.stop();
    },
  };
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? "";
}
