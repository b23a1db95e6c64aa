import type { GiteaEmulator } from "../../src/emulator/index.ts";
import type { EmuCommit } from "../../src/emulator/entities.ts";
import type { CommitSpec, LoopRepo } from "../../src/demo/loop-repo.ts";

/** Commits, pushes to the bare repo, and delivers the push webhook as Gitea would; the bot must accept it. */
export async function pushAndDeliver(repo: LoopRepo, emu: GiteaEmulator, fullName: string, ...specs: CommitSpec[]): Promise<EmuCommit[]> {
  const before = repo.head();
  const commits = repo.commit(...specs);
  repo.push();
  const [sent] = await emu.push(fullName, { ref: `refs/heads/${repo.branch}`, before, after: repo.head(), commits, pusher: "agent" });
  if (sent?.status !== 202) throw new Error(`the push delivery was answered ${sent?.status ?? "by nobody"}: ${sent?.response ?? ""}`);
  return commits;
}
