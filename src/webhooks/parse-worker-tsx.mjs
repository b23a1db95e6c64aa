// The parser thread's entry when the bot runs from its TypeScript sources (tsx, vitest): a
// worker does not inherit the main thread's loader, so it registers its own before loading the
// parser (about 250 ms, once, on the first large body). The built package starts
// parse-worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./parse-worker.ts");
