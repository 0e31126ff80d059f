/**
 * Whether a push or a pull request changes `.github/yardmaster.yml`: a push's payload lists the files of its
 * commits; a pull request's files are asked for (bounded). Renames count on both sides.
 */
import { z } from 'zod';
import { splitRepo, type OctokitSlice } from './octokit-slice.ts';
import { REPO_CONFIG_PATH } from './repo-config.ts';
import type { PushEvent } from './webhook-payloads.ts';

/** GitHub lists at most this many commits in a push payload; a push of more may hide the change. */
export const MAX_PUSH_COMMITS = 2048;
const FILES_PER_PAGE = 100;
/** GitHub lists at most 3000 files of a pull request. */
const MAX_FILE_PAGES = 30;

/**
 * True or false from the payload, or `unknown` when it cannot tell: the commit list is cut at GitHub's limit, or a
 * forced push moved the branch without new commits (to an older commit, whose config may differ).
 */
export function pushTouchesConfig(push: PushEvent): boolean | 'unknown' {
  const touched = push.commits.some((commit) =>
    [commit.added, commit.modified, commit.removed].some((paths) => paths.includes(REPO_CONFIG_PATH)),
  );
  if (touched) return true;
  if (push.commits.length >= MAX_PUSH_COMMITS || (push.forced === true && push.commits.length === 0)) return 'unknown';
  return false;
}

const fileSchema = z.object({ filename: z.string(), previous_filename: z.string().optional() });

/** Whether pull request `number` adds, changes, removes or renames the config (its files, page by page). */
export async function pullTouchesConfig(github: OctokitSlice, repoFullName: string, number: number): Promise<boolean> {
  for (let page = 1; page <= MAX_FILE_PAGES; page++) {
    const { data } = await github.rest.pulls.listFiles({
      ...splitRepo(repoFullName),
      pull_number: number,
      per_page: FILES_PER_PAGE,
      page,
    });
    const files = z.array(fileSchema).parse(data);
    if (files.some((file) => file.filename === REPO_CONFIG_PATH || file.previous_filename === REPO_CONFIG_PATH))
      return true;
    if (files.length < FILES_PER_PAGE) return false;
  }
  return false;
}
