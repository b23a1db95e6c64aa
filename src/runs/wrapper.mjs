// Supervises one run, detached from the bot so the run outlives a bot restart (docs/design.md#testme-runs):
//   node wrapper.mjs <run-dir>
// Reads <run-dir>/spec.json ({ argv, env, cwd, timeoutMs, graceMs }), runs argv in its own
// process group with stdout and stderr interleaved into <run-dir>/log, and writes
// <run-dir>/exit.json when it ends. On timeout, or SIGTERM from the bot (cancel), the whole
// group gets TERM, then KILL after the grace period. Whatever way the run ends, the group is
// killed afterwards, so no grandchild outlives it. Plain JavaScript: nothing to compile.
import { spawn } from "node:child_process";
import { openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const spec = JSON.parse(readFileSync(join(dir, "spec.json"), "utf8"));
// First thing: a bot that died right after launching us finds the run was launched (executor.launched).
writeFileSync(join(dir, "wrapper.pid"), String(process.pid));
const log = openSync(join(dir, "log"), "a");
const started = Date.now();
let ending = null; // "timeout" | "cancel"
let written = false;

function record(result) {
  if (written) return;
  written = true;
  const tmp = join(dir, "exit.json.tmp");
  writeFileSync(tmp, JSON.stringify({ ...result, startedAt: started, finishedAt: Date.now() }));
  renameSync(tmp, join(dir, "exit.json"));
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

let child = null;
const stop = (why) => {
  if (ending) return;
  ending = why;
  if (!child) return; // cancelled before the runner started: it never will
  killGroup(child.pid, "SIGTERM");
  setTimeout(() => killGroup(child.pid, "SIGKILL"), spec.graceMs).unref();
};
// Handlers first: a cancel may come the moment the bot has launched us.
process.on("SIGTERM", () => stop("cancel"));
process.on("SIGINT", () => stop("cancel"));
process.on("SIGHUP", () => {}); // a closing terminal is not a cancel

if (ending) {
  record({ exitCode: null, signal: null, timedOut: false, cancelled: true });
  process.exit(0);
}
try {
  child = spawn(spec.argv[0], spec.argv.slice(1), { cwd: spec.cwd, env: spec.env, stdio: ["ignore", log, log], detached: true });
} catch (err) {
  record({ spawnError: String(err?.message ?? err) });
  process.exit(0);
}
const timer = setTimeout(() => stop("timeout"), spec.timeoutMs);
// Started by a worker: when the worker dies (SIGKILL, a crash) the bot ends the run as lost;
// the runner must not go on unseen, so its group is stopped as for a cancel.
if (spec.parentPid) setInterval(() => process.ppid !== spec.parentPid && stop("cancel"), 500).unref();

child.on("error", (err) => {
  clearTimeout(timer);
  record({ spawnError: err.message });
  process.exit(0);
});
child.on("exit", (code, signal) => {
  clearTimeout(timer);
  killGroup(child.pid, "SIGKILL");
  record({ exitCode: code, signal, timedOut: ending === "timeout", cancelled: ending === "cancel" });
  process.exit(0);
});
