// A stand-in for an operator job:  node job.mjs <ok|fail|hold> <dir> [flags passed by the command...]
// Prints its flags and inputs; "ok" prints a PR line; "hold" waits for <dir>/release-<job id>.
import { existsSync } from "node:fs";
import { join } from "node:path";

const [mode, dir, ...flags] = process.argv.slice(2);
console.log(`args: ${flags.join(" ") || "(none)"}`);
console.log(`for ${process.env.CCCI_REPO} (${process.env.CCCI_RECIPE}) PR ${process.env.CCCI_PR} by ${process.env.CCCI_COMMENTER}`);
if (mode === "ok") {
  console.log("PR: https://git.example.org/recipes/nextcloud/pulls/42");
  process.exit(0);
}
if (mode === "fail") {
  console.error("upgrade failed: no newer version");
  process.exit(4);
}
const release = join(dir, `release-${process.env.CCCI_JOB_ID}`);
const t = setInterval(() => {
  if (existsSync(release)) {
    clearInterval(t);
    process.exit(0);
  }
}, 20);
