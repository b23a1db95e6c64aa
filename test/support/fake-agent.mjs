// A stand-in for an agent TUI in a tmux pane: an input line at the bottom ("> ..."); Enter
// submits it, prints it above and appends it to the log file given as first argument.
//   node fake-agent.mjs <log-file> [--swallow-first-enter] [--busy]
import { appendFileSync } from "node:fs";

const [log, ...flags] = process.argv.slice(2);
let swallow = flags.includes("--swallow-first-enter");
let buffer = "";
const draw = () => process.stdout.write(`\r\x1b[K> ${buffer}`);

process.stdin.setRawMode(true);
process.stdin.setEncoding("utf8");
process.stdout.write(flags.includes("--busy") ? "working... (esc to interrupt)\n" : "fake agent ready\n");
draw();
process.stdin.on("data", (chunk) => {
  for (const ch of chunk) {
    if (ch === "\r" || ch === "\n") {
      if (swallow) {
        swallow = false;
        continue;
      }
      if (buffer.length > 0) {
        process.stdout.write(`\r\x1b[Kgot: ${buffer}\n`);
        appendFileSync(log, `${JSON.stringify({ t: Date.now(), text: buffer })}\n`);
      }
      buffer = "";
      draw();
    } else if (ch === "\x03") {
      process.exit(0);
    } else {
      buffer += ch;
      draw();
    }
  }
});
