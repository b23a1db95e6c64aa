// Claude Code 2.1.197's screen, replayed from the real panes in test/fixtures and reacting
// to keys as the real TUI did when they were captured:
//   node claude-screen.mjs <log-file> <fixture-file> [--sticky-menu] [--answer <reply line>]
// Typed text goes into the input box (wrapped at 116 columns, or `[Pasted text #1 +1 lines]`
// past 300 characters); an Enter arriving in the same write as 120+ typed characters is
// swallowed (as a paste is ingested); C-u empties the box; Enter submits: the prompt goes into
// the transcript with a reply, and into <log-file> as {t, text}. While the limit menu is open,
// typed text is lost (logged as {lost}) and Escape (unless --sticky-menu) or Enter closes it.
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const [log, fixture, ...flags] = process.argv.slice(2);
appendFileSync(`${log}.starts`, `${Date.now()}\n`);
const answer = flags.includes("--answer") ? flags[flags.indexOf("--answer") + 1] : "● FAKE-REPLY ok.";
const RULE = /^─{8,}$/;
const read = (f) => readFileSync(f, "utf8").replace(/\s+$/, "").split("\n");
let base = read(fixture);
let menu = base.some((l) => /Esc to cancel/.test(l));
const rules = () => base.flatMap((l, i) => (RULE.test(l) ? [i] : []));
// The box's text on the starting screen (an interrupted prompt is put back there).
let box = "";
if (!menu) {
  const [r1, r2] = rules().slice(-2);
  box = base.slice(r1 + 1, r2).map((l, i) => (i === 0 ? l.replace(/^❯[ \u00a0]?/, "") : l).trim()).filter(Boolean).join(" ");
  if (/^Press up to edit/.test(box)) box = "";
}
const added = [];

function draw() {
  let screen = base;
  if (!menu) {
    const [r1, r2] = rules().slice(-2);
    const top = base.slice(0, r1);
    while (top.length && top.at(-1).trim() === "") top.pop();
    const boxLines = box.length > 300 ? ["❯\u00a0[Pasted text #1 +1 lines]"] : (box.match(/.{1,116}/g) ?? [""]).map((c, i) => (i === 0 ? `❯\u00a0${c}` : `  ${c}`));
    screen = [...top, ...added, "", base[r1], ...boxLines, ...base.slice(r2)];
  }
  process.stdout.write(`\x1b[2J\x1b[H${screen.slice(-40).join("\r\n")}`);
}

process.stdin.setRawMode(true);
process.stdin.setEncoding("utf8");
draw();
process.stdin.on("data", (chunk) => {
  let typedNow = 0;
  for (const ch of chunk) {
    if (menu) {
      if (ch === "\r" || (ch === "\x1b" && !flags.includes("--sticky-menu"))) {
        menu = false;
        base = read(join(dirname(fixture), "limit-menu-after-enter.txt"));
      } else if (ch >= " ") appendFileSync(`${log}.lost`, ch);
      continue;
    }
    if (ch === "\x15") box = "";
    else if (ch === "\x7f") box = box.slice(0, -1);
    else if (ch === "\r") {
      if (typedNow >= 120) continue; // swallowed while the paste is ingested
      if (box === "") continue;
      appendFileSync(log, `${JSON.stringify({ t: Date.now(), text: box })}\n`);
      added.push("", `❯ ${box.slice(0, 116)}`, "", answer, "", "✻ Baked for 0s");
      box = "";
    } else if (ch === "\x03") process.exit(0);
    else if (ch >= " ") {
      box += ch;
      typedNow++;
    }
  }
  draw();
});
