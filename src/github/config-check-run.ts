/**
 * Posts the `yardmaster / config` check run on a commit: completed at once, with the annotations in requests of
 * GitHub's limit of 50 each (the first with the creation, the rest as updates, which GitHub appends).
 */
import { z } from 'zod';
import type { ConfigCheckOutput } from './config-check-output.ts';
import { splitRepo, type OctokitSlice } from './octokit-slice.ts';

export const CONFIG_CHECK_NAME = 'yardmaster / config';
/** Annotations GitHub takes in one request. */
export const ANNOTATIONS_PER_REQUEST = 50;

const createdSchema = z.object({ id: z.number().int().positive() });

/** Makes the check run on `headSha` and returns its id. */
export async function postConfigCheckRun(
  github: OctokitSlice,
  repoFullName: string,
  headSha: string,
  result: ConfigCheckOutput,
): Promise<number> {
  const repo = splitRepo(repoFullName);
  const batches: ConfigCheckOutput['annotations'][] = [];
  for (let at = 0; at < result.annotations.length; at += ANNOTATIONS_PER_REQUEST)
    batches.push(result.annotations.slice(at, at + ANNOTATIONS_PER_REQUEST));
  const [first, ...rest] = batches;
  const output = { title: result.title, summary: result.summary };
  const { data } = await github.rest.checks.create({
    ...repo,
    name: CONFIG_CHECK_NAME,
    head_sha: headSha,
    external_id: 'yardmaster-config',
    status: 'completed',
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    output: first === undefined ? output : { ...output, annotations: first },
  });
  const { id } = createdSchema.parse(data);
  for (const annotations of rest)
    await github.rest.checks.update({ ...repo, check_run_id: id, output: { ...output, annotations } });
  return id;
}
