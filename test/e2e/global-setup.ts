import type { TestProject } from "vitest/node";
import { realGitea, type E2eGitea } from "./support/gitea-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    gitea: E2eGitea;
  }
}

/** The Gitea every end-to-end test talks to, found or started once for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { gitea, stop } = await realGitea();
  project.provide("gitea", gitea);
  return stop;
}
