// A stand-in for an agent TUI in a tmux pane: an input line at the bottom ("> ..."); Enter
// submits it, prints it above and appends it to the log file given as first argument.
//   node fake-agent.mjs <log-file> [--swallow-first-enter] [--busy] [--show <file>]
// --show: lines appended to <file> after the start are printed above the input line (tests
// use it to put banners, markers and output on the pane). Each start is counted in <log>.starts.
import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";

const [log, ...flags] = process.argv.slice(2);
appendFileSync(`${log}.starts`, `${Date.now()}\n`);
const showFile = flags.includes("--show") ? flags[flags.indexOf("--show") + 1] : null;
let shown = showFile && existsSync(showFile) ? statSync(showFile).size : 0;
if (showFile) {
  setInterval(() => {
    if (!existsSync(showFile)) return;
    const text = readFileSync(showFile, "utf8");
    if (text.length <= shown) return;
    const fresh = text.slice(shown);
    shown = text.length;
    for (const line of fresh.split("\n").filter(Boolean)) process.stdout.write(`\r\x1b[K${line}\n`);
    draw();
  }, 15);
}
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
