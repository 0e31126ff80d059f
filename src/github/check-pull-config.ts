/**
 * A pull request that changes `.github/yardmaster.yml` gets the `yardmaster / config` check run on its head, compared
 * with the default branch's config, so its reviewer sees what merging it would do. Only for a head in another
 * repository (a fork): a head branch of this repository got its check run from the push (handle-push.ts).
 */
import { readConfigAt } from './config-at-ref.ts';
import { baseConfigOf } from './config-check-base.ts';
import { configCheck } from './config-check-output.ts';
import { postConfigCheckRun } from './config-check-run.ts';
import { pullTouchesConfig } from './config-changed.ts';
import type { Session } from './session.ts';
import { pullRequestHeadSchema } from './webhook-payloads.ts';

const CHECKED_ACTIONS = new Set(['opened', 'reopened', 'synchronize']);

export async function checkPullConfig(session: Session, payload: unknown): Promise<void> {
  const parsed = pullRequestHeadSchema.safeParse(payload);
  if (!parsed.success || !CHECKED_ACTIONS.has(parsed.data.action)) return;
  const { number, pull_request: pull } = parsed.data;
  if (pull.head.repo?.full_name === session.repoFullName) return;
  if (!(await pullTouchesConfig(session.github, session.repoFullName, number))) return;
  // A fork's commits are readable through the base repository once they are in a pull request.
  const [head, base] = await Promise.all([
    readConfigAt(session.github, session.repoFullName, pull.head.sha),
    readConfigAt(session.github, session.repoFullName, session.defaultBranch),
  ]);
  const check = configCheck(head, baseConfigOf(base, `the default branch (${session.defaultBranch})`));
  const id = await postConfigCheckRun(session.github, session.repoFullName, pull.head.sha, check.output);
  session.log.info({ checkRun: id, conclusion: check.output.conclusion, pull: number }, 'config change checked');
}
