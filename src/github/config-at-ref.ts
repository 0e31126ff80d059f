/**
 * `.github/yardmaster.yml` as it is at any commit, for checking a change (never for acting on: roles, hosts and
 * approvals come from the default branch only, repo-config.ts). Bounded: a file above {@link MAX_CONFIG_BYTES} is not
 * read.
 */
import { z } from 'zod';
import { httpStatusOf, splitRepo, type OctokitSlice } from './octokit-slice.ts';
import { REPO_CONFIG_PATH } from './repo-config.ts';

/** The largest config checked: far above any real one, far below what would hold a handler up. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export type ConfigAtRef =
  | { kind: 'file'; text: string }
  | { kind: 'missing' }
  | { kind: 'not-a-file' }
  | { kind: 'too-large'; bytes: number };

const contentSchema = z.object({
  type: z.string(),
  size: z.number().int().nonnegative(),
  content: z.string().optional(),
  encoding: z.string().optional(),
});

/** The config's text at `ref` (a commit SHA or a branch), or why there is none to check. */
export async function readConfigAt(github: OctokitSlice, repoFullName: string, ref: string): Promise<ConfigAtRef> {
  let data: unknown;
  try {
    ({ data } = await github.rest.repos.getContent({ ...splitRepo(repoFullName), path: REPO_CONFIG_PATH, ref }));
  } catch (error) {
    if (httpStatusOf(error) === 404) return { kind: 'missing' };
    throw error;
  }
  const file = contentSchema.safeParse(data);
  if (!file.success || file.data.type !== 'file') return { kind: 'not-a-file' };
  if (file.data.size > MAX_CONFIG_BYTES) return { kind: 'too-large', bytes: file.data.size };
  const { content, encoding } = file.data;
  // GitHub leaves `content` empty (encoding "none") for files above 1 MB; the size check above comes first.
  if (content === undefined) return { kind: 'too-large', bytes: file.data.size };
  const bytes = Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8');
  if (bytes.length > MAX_CONFIG_BYTES) return { kind: 'too-large', bytes: bytes.length };
  return { kind: 'file', text: bytes.toString('utf8') };
}
