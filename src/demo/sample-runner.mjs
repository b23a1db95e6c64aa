// A stand-in for the cc-ci recipe runner: prints a few lines like a deploy would, leaves a
// results.json, and fails when the PR head's branch name contains "broken".
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const env = process.env;
const broken = /broken/.test(env.CCCI_REF ?? "");
const say = (line) => process.stdout.write(`${line}\n`);
say(`run ${env.CCCI_RUN_ID}: ${env.CCCI_REPO} PR #${env.CCCI_PR} at ${env.CCCI_SHA?.slice(0, 7)} (${env.CCCI_QUICK === "1" ? "quick" : "full"})`);
const tiers = { deploy: "pass", healthcheck: broken ? "fail" : "pass", upgrade: env.CCCI_QUICK === "1" ? "skip" : broken ? "skip" : "pass" };
let i = 0;
const steps = Object.entries(tiers);
const timer = setInterval(() => {
  const [name, result] = steps[i++];
  say(`tier ${name}: ${result}`);
  if (i < steps.length) return;
  clearInterval(timer);
  writeFileSync(join(env.CCCI_RUN_DIR, "results.json"), JSON.stringify({ level: broken ? 1 : 3, tiers }));
  process.exit(broken ? 1 : 0);
}, 150);
