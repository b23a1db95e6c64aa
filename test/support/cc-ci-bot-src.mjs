#!/usr/bin/env node
// The CLI straight from the TypeScript sources, for tests and benchmarks: what they spawn is
// always the code in the tree, with no build step to forget. The built package (bin/cc-ci-bot.js
// over dist/) is installed and exercised by .ci/package-check.
import { register } from "tsx/esm/api";

register();
await import("../../src/cli/main.ts");
