// The parser thread's entry: a worker does not inherit the main thread's TypeScript loader, so
// it registers its own before loading the parser (about 250 ms, once, on the first large body).
import { register } from "tsx/esm/api";

register();
await import("./parse-worker.ts");
