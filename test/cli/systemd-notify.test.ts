import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, TEST_TOKEN } from "../support/bot.ts";
import { BIN, cleanEnv, writeConfig } from "../support/child-bot.ts";
import { waitFor } from "../support/wait.ts";

describe("serve under systemd (Type=notify)", () => {
  it("says READY=1 once it listens and STOPPING=1 on SIGTERM, through systemd-notify, and exits 0", async () => {
    const dir = tempDir();
    const calls = join(dir, "calls");
    // Stands in for systemd's systemd-notify: records the fields it was given.
    const fake = join(dir, "bin");
    mkdirSync(fake);
    writeFileSync(join(fake, "systemd-notify"), `#!/bin/sh\nprintf '%s|%s\\n' "$NOTIFY_SOCKET" "$*" >> ${JSON.stringify(calls)}\n`);
    chmodSync(join(fake, "systemd-notify"), 0o755);
    const cfg = writeConfig(dir, `gitea: { url: "http://127.0.0.1:9", token: ${TEST_TOKEN}, botUser: ci-bot }\nserver: { port: 0, host: 127.0.0.1 }\ndataDir: ${JSON.stringify(join(dir, "data"))}\n`);
    const child = spawn(process.execPath, [BIN, "serve", "--config", cfg], {
      env: cleanEnv({ PATH: `${fake}:${process.env.PATH ?? ""}`, NOTIFY_SOCKET: "/run/systemd/notify-test" }),
      stdio: ["ignore", "ignore", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await waitFor(() => existsSync(calls) && readFileSync(calls, "utf8").includes("READY=1"), "READY=1");
      expect(readFileSync(calls, "utf8")).toMatch(/^\/run\/systemd\/notify-test\|READY=1 STATUS=listening on port \d+\n$/);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(readFileSync(calls, "utf8").split("\n")[1]).toBe("/run/systemd/notify-test|STOPPING=1");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
