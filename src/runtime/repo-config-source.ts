/**
 * Where a worker gets an order's repo config. The GitHub source (`.github/yardmaster.yml` of the repository's
 * default branch) belongs to the GitHub adapter; {@link fileRepoConfigSource} serves one file for every order, for
 * running without GitHub (`YARDMASTER_CONFIG=<path>`).
 */
import { loadRepoConfigFile } from '../config/index.ts';
import type { RepoConfig } from '../config/types.ts';
import { formatIssues } from '../plan/index.ts';

/** The repository an order belongs to. */
export interface RepoRef {
  repoFullName: string;
  installationId: number;
}

/** A config, or a message fit to show on the work order. */
export type RepoConfigResult = { ok: true; config: RepoConfig } | { ok: false; message: string };

/** Reads the repo config of an order's repository, as it is now. */
export interface RepoConfigSource {
  /** Short description for logs: `file:/etc/yardmaster.yml`, `github`. */
  readonly name: string;
  load(repo: RepoRef): Promise<RepoConfigResult>;
}

/** One config file for every repository, read again on every load (edits apply to the next release). */
export function fileRepoConfigSource(path: string): RepoConfigSource {
  return {
    name: `file:${path}`,
    async load() {
      const parsed = await loadRepoConfigFile(path);
      if (parsed.ok) return { ok: true, config: parsed.value };
      return { ok: false, message: `the repo config ${path} is invalid:\n${formatIssues(parsed.issues)}` };
    },
  };
}

/** A source that refuses every load with `message` (no source configured). */
export function missingRepoConfigSource(message: string): RepoConfigSource {
  return { name: 'none', load: () => Promise.resolve({ ok: false, message }) };
}
