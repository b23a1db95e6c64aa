import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Agent, request } from "node:http";
import { deliveryFactory } from "./payloads.ts";
const child = spawn(process.execPath, ["--import", "tsx", new URL("./intake-server.ts", import.meta.url).pathname, "bot", "s"], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((r) => createInterface({ input: child.stdout! }).on("line", (l) => { const m = /^READY (\d+)$/.exec(l); if (m) r(Number(m[1])); }));
const next = deliveryFactory("s"); const agent = new Agent({ keepAlive: true, maxSockets: 16 }); const lat: number[] = [];
const send = () => new Promise<void>((res) => { const d = next(); const t = process.hrtime.bigint(); const q = request({ host: "127.0.0.1", port, path: "/webhook", method: "POST", agent, headers: { "content-type": "application/json", "x-gitea-event": "push", "x-gitea-delivery": d.id, "x-gitea-signature": d.signature } }, (r) => { r.resume(); r.on("end", () => { lat.push(Number(process.hrtime.bigint() - t) / 1e6); res(); }); }); q.end(d.body); });
const start = performance.now(); const all: Promise<void>[] = [];
for (let i = 0; i < 1200; i++) { const w = start + i * 5 - performance.now(); if (w > 0) await new Promise((r) => setTimeout(r, w)); all.push(send()); }
await Promise.all(all); lat.sort((a, b) => a - b); console.log(process.env.BENCH_DISPATCH, "p50", lat[600]!.toFixed(2), "p99", lat[1188]!.toFixed(2)); child.kill(); process.exit(0);
