#!/usr/bin/env node
// Runs the built JavaScript (npm run build: src/ -> dist/); nothing is compiled at start.
// Stack traces name the TypeScript sources through the source maps beside each module.
process.setSourceMapsEnabled(true);
await import("../dist/cli/main.js");
