/** `.github/yardmaster.yml` of a repository's default branch, read through the GitHub API and parsed. */
import { z } from 'zod';
import { parseRepoConfig } from '../config/index.ts';
import type { RepoConfig } from '../config/types.ts';
import type { ConfigLoader } from '../workorders/service/index.ts';
import { formatIssues } from '../plan/index.ts';
import { httpStatusOf, splitRepo, type OctokitSlice } from './octokit-slice.ts';

export const REPO_CONFIG_PATH = '.github/yardmaster.yml';

export type RepoConfigResult = { ok: true; config: RepoConfig } | { ok: false; message: string };

const fileSchema = z.object({ type: z.literal('file'), content: z.string(), encoding: z.string() });
const repoSchema = z.object({ default_branch: z.string() });

/** The default branch of `owner/repo` (asked when the payload does not say). */
export async function defaultBranchOf(github: OctokitSlice, repoFullName: string): Promise<string> {
  const { data } = await github.rest.repos.get(splitRepo(repoFullName));
  return repoSchema.parse(data).default_branch;
}

/**
 * Reads and parses the repo config from `defaultBranch` (never another ref: a branch cannot grant itself roles).
 * A missing file or a config with errors is a message for people, with lines and columns.
 */
export async function loadRepoConfig(
  github: OctokitSlice,
  repoFullName: string,
  defaultBranch: string,
): Promise<RepoConfigResult> {
  let data: unknown;
  try {
    ({ data } = await github.rest.repos.getContent({
      ...splitRepo(repoFullName),
      path: REPO_CONFIG_PATH,
      ref: defaultBranch,
    }));
  } catch (error) {
    if (httpStatusOf(error) === 404) {
      return {
        ok: false,
        message: `${repoFullName} has no ${REPO_CONFIG_PATH} on its default branch (${defaultBranch})`,
      };
    }
    throw error;
  }
  const file = fileSchema.safeParse(data);
  if (!file.success) return { ok: false, message: `${REPO_CONFIG_PATH} on ${defaultBranch} is not a file` };
  const text = Buffer.from(file.data.content, file.data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  const parsed = parseRepoConfig(text);
  if (!parsed.ok)
    return {
      ok: false,
      message: `${REPO_CONFIG_PATH} on ${defaultBranch} has problems:\n${formatIssues(parsed.issues)}`,
    };
  return { ok: true, config: parsed.value };
}

/** A release worker's `loadConfig` that reads the config from GitHub as it is now. */
export function createGitHubConfigLoader(githubFor: (installationId: number) => Promise<OctokitSlice>): ConfigLoader {
  return async ({ repoFullName, installationId }) => {
    try {
      const github = await githubFor(installationId);
      return await loadRepoConfig(github, repoFullName, await defaultBranchOf(github, repoFullName));
    } catch (error) {
      return {
        ok: false,
        message: `cannot read ${REPO_CONFIG_PATH} of ${repoFullName}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  };
}
