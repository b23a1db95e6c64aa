// A process that stops on a signal the way `cc-ci-bot serve` does, with a subprocess running
// (so execa's signal-exit is loaded) when the signal arrives. Prints "stopping <signal>" when
// its stop begins; the stop takes 300 ms, or for ever with --hang.
import { execa } from "execa";
import { onStopSignal } from "../../src/util/stop-signal.ts";

const hang = process.argv.includes("--hang");
onStopSignal((signal) => {
  process.stdout.write(`stopping ${signal}\n`);
  if (!hang) setTimeout(() => process.exit(0), 300);
});
const sleeping = execa("sleep", ["30"], { reject: false });
await new Promise((r) => sleeping.once("spawn", r));
process.stdout.write("ready\n");
await sleeping;
