// A scriptable recipe runner for tests:  node runner.mjs <behaviour> [arg]
//   pass | fail | hang | grandchildren | print <text> | results | biglog | hold | gated | by-ref | by-recipe <dir>
// "hold" waits until <run-dir>/release exists and exits with the number written in it.
// Whatever it does, it exits when its run dir disappears (a test cleaned up), so no runner
// outlives the test that started it.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [given, arg] = process.argv.slice(2);
setInterval(() => existsSync(process.env.CCCI_RUN_DIR ?? "/") || process.exit(0), 200).unref();
// "by-ref": the behaviour is the PR branch's first word ("hold-1" -> hold).
// "by-recipe <dir>": the behaviour written in <dir>/<recipe>, else by-ref (sweeps test branches).
const byRef = () => (process.env.CCCI_REF ?? "").split("-")[0];
const byRecipe = () => {
  const f = join(arg ?? "/nonexistent", process.env.CCCI_RECIPE ?? "");
  return existsSync(f) ? readFileSync(f, "utf8").trim() : byRef();
};
const behaviour = given === "by-ref" ? byRef() : given === "by-recipe" ? byRecipe() : given;
const dir = process.env.CCCI_RUN_DIR;
writeFileSync(join(dir, "runner.pid"), String(process.pid));
// One line per execution: a run started twice shows two.
appendFileSync(join(dir, "executions"), `${process.pid}\n`);
// Written whole or not at all: a test may read it the moment it appears.
writeFileSync(join(dir, "env.json.tmp"), JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("CCCI_")))));
renameSync(join(dir, "env.json.tmp"), join(dir, "env.json"));
console.log(`runner ${behaviour} for ${process.env.CCCI_REPO} at ${process.env.CCCI_SHA}`);
switch (behaviour) {
  case "pass":
    process.exit(0);
  case "fail":
    console.error("upgrade step failed");
    process.exit(3);
  case "hang":
    setInterval(() => {}, 1000);
    break;
  case "grandchildren": {
    for (let i = 0; i < 2; i++) {
      const c = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      writeFileSync(join(dir, `grandchild-${i}.pid`), String(c.pid));
    }
    setInterval(() => {}, 1000);
    break;
  }
  case "print":
    console.log(`cloning with ${arg}`);
    process.exit(1);
  case "results":
    writeFileSync(join(dir, "results.json"), JSON.stringify({ level: 2, tiers: { deploy: "pass", upgrade: "fail", backup: "skip" }, note: "extra" }));
    process.exit(1);
  case "biglog": {
    const line = "x".repeat(99) + "\n";
    for (let i = 0; i < 52_000; i++) process.stdout.write(line);
    process.stdout.write("the end\n", () => process.exit(0));
    break;
  }
  case "slow": {
    let i = 0;
    const t = setInterval(() => {
      console.log(`step ${++i}`);
      if (i === 12) {
        clearInterval(t);
        process.exit(0);
      }
    }, 60);
    break;
  }
  case "gated": {
    // "step 1", then the rest once <run-dir>/release exists: a test sees the log grow on its cue.
    console.log("step 1");
    const t = setInterval(() => {
      if (!existsSync(join(dir, "release"))) return;
      clearInterval(t);
      for (let i = 2; i <= 12; i++) console.log(`step ${i}`);
      process.exit(0);
    }, 20);
    break;
  }
  case "hold": {
    const t = setInterval(() => {
      const f = join(dir, "release");
      // A test writes the file: it may be created and still empty when this looks.
      const code = existsSync(f) ? readFileSync(f, "utf8").trim() : "";
      if (code === "") return;
      clearInterval(t);
      process.exit(Number(code));
    }, 20);
    break;
  }
  default:
    console.error(`unknown behaviour ${behaviour}`);
    process.exit(2);
}
