/**
 * The layer rules of src/: arrows only go down this list, never up, and never round.
 * `npx depcruise src` checks them (npm test runs it); a violation names both files.
 *
 * Lowest first. A layer may import any layer below it and its own; a folder's own files may
 * import each other (the no-circular rule still holds there).
 */
const LAYERS = [
  ["base", "^src/(util/|clock\\.ts$|log\\.ts$|redact\\.ts$|metrics\\.ts$)"],
  ["config", "^src/config/"],
  // The normalised webhook event: what the store keeps of a delivery.
  ["event model", "^src/webhooks/(events|payloads|payload-check|identify)\\.ts$"],
  ["store", "^src/store/"],
  ["forge and intake", "^src/(git|gitea|webhooks)/"],
  ["loops", "^src/loops/"],
  ["services", "^src/(supervisor|runs|jobs|worker)/"],
  ["web", "^src/web/"],
  ["commands", "^src/commands/"],
  ["handlers", "^src/handlers/(?!registry\\.ts$)"],
  ["dispatch", "^src/dispatch/"],
  ["composition", "^src/(main\\.ts|bot-deps\\.ts|cli/|demo/|handlers/registry\\.ts$)"],
];

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-${name.replace(/ /g, "-")}`,
  comment: `${name} must not import from a layer above it (${LAYERS.slice(i + 1).map(([n]) => n).join(", ")})`,
  severity: "error",
  from: { path },
  // A file matching a lower layer's pattern too (the event model is also under webhooks/) stays lower.
  to: { path: LAYERS.slice(i + 1).map(([, p]) => `(${p})`).join("|"), pathNot: LAYERS.slice(0, i + 1).map(([, p]) => `(${p})`).join("|") },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "an import cycle, type-only imports included",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: "emulator-stands-alone",
      comment: "the Gitea emulator serves tests and the demo; the product neither imports it nor is imported by it",
      severity: "error",
      from: { path: "^src/(?!emulator/|demo/)" },
      to: { path: "^src/emulator/" },
    },
    {
      name: "emulator-imports-nothing-of-the-bot",
      severity: "error",
      from: { path: "^src/emulator/" },
      to: { path: "^src/(?!emulator/)" },
    },
    {
      name: "no-test-code-in-the-product",
      comment: "only the demo (not shipped) borrows test helpers (the fake model, the opencode server)",
      severity: "error",
      from: { path: "^src/(?!demo/)" },
      to: { path: "^test/" },
    },
    {
      name: "every-layer-named",
      comment: "a new folder under src/ must be given its place in LAYERS",
      severity: "error",
      from: { path: "^src/", pathNot: `(${LAYERS.map(([, p]) => `(${p})`).join("|")})|^src/emulator/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".mjs", ".js"] },
  },
};
