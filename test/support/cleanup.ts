import { afterAll } from "vitest";
import { removeTempDirs } from "./temp.ts";

// Every test file leaves /tmp as it found it.
afterAll(() => removeTempDirs());
