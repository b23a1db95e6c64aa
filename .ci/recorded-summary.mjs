// Prints, from vitest's JSON report, how much of each recorded (or derived) forge the run
// checked: API exchanges and deliveries that conform to the emulator, deliveries replayed.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(new URL("./test-results.json", import.meta.url), "utf8"));
const forges = new Map();
for (const file of report.testResults) {
  for (const t of file.assertionResults) {
    const m = /^(recorded|derived) (delivery|exchange) \S+ (conforms|replayed)$/.exec(t.title);
    if (!m || t.status !== "passed") continue;
    const name = t.ancestorTitles[0];
    const f = forges.get(name) ?? { source: m[1], exchange: 0, delivery: 0, replayed: 0 };
    if (m[3] === "replayed") f.replayed++;
    else f[m[2]]++;
    forges.set(name, f);
  }
}
for (const [name, f] of forges) {
  console.log(`${f.source} ${name}: ${f.exchange} exchanges, ${f.delivery} deliveries conform; ${f.replayed} deliveries replayed`);
}
