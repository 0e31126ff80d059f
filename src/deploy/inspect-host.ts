/** What one host has of an app: the live release, the releases on disk, the log and the lock. */
import { runScript, type HostIo } from './host-commands.ts';
import { inspectScript } from './host-scripts.ts';
import { stateValue, stateValues } from './host-state.ts';
import { RecentLines } from './output-lines.ts';
import { releaseLayout, versionFromLinkTarget } from './release-layout.ts';
import { parseReleaseLog, type ReleaseLogEntry } from './releases-log.ts';

export interface HostInventory {
  live: string | null;
  /** Newest first. */
  releases: string[];
  log: ReleaseLogEntry[];
  lockOwner: string | null;
}

export async function inspectHost(io: HostIo, deployTo: string): Promise<HostInventory> {
  const run = await runScript(io, { recent: new RecentLines() }, 'check', inspectScript(releaseLayout(deployTo)));
  if (run.exec.exitCode !== 0)
    throw new Error(`could not read ${deployTo}: ${run.lastStderr || `exit ${run.exec.exitCode}`}`);
  return {
    live: versionFromLinkTarget(stateValue(run.state, 'current') ?? ''),
    releases: stateValues(run.state, 'release').filter(
      (name) => /^[A-Za-z0-9._-]{1,64}$/.test(name) && !name.startsWith('.'),
    ),
    log: parseReleaseLog(stateValues(run.state, 'log')),
    lockOwner: stateValue(run.state, 'lock') ?? null,
  };
}
