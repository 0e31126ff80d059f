/**
 * `push` to a branch that changes `.github/yardmaster.yml`: the `yardmaster / config` check run on the pushed head,
 * with every problem at its line or what the change does against the config it replaces (the default branch's; for a
 * push to the default branch, the config before the push). A push to the default branch also brings the repository's
 * `apps` / `environments` rows in line with the config and audits each environment it sets, which notify/ announces
 * to the environment's subscribers and the project managers. Tags, deleted branches and pushes that leave the config
 * alone do nothing.
 */
import { readConfigAt, type ConfigAtRef } from './config-at-ref.ts';
import { baseConfigOf } from './config-check-base.ts';
import { configCheck } from './config-check-output.ts';
import { postConfigCheckRun } from './config-check-run.ts';
import { pushTouchesConfig } from './config-changed.ts';
import { environmentsSet } from './environments-set.ts';
import type { Session } from './session.ts';
import { syncConfigRows } from './sync-config-rows.ts';
import { problemsOf, pushEventSchema } from './webhook-payloads.ts';

const BRANCH_PREFIX = 'refs/heads/';
const NO_COMMIT = /^0{40}$/;

function sameConfig(a: ConfigAtRef, b: ConfigAtRef): boolean {
  return a.kind === b.kind && (a.kind !== 'file' || (b.kind === 'file' && a.text === b.text));
}

export async function handlePush(session: Session, payload: unknown): Promise<void> {
  const parsed = pushEventSchema.safeParse(payload);
  if (!parsed.success) {
    session.log.warn({ problems: problemsOf(parsed.error) }, 'push event not understood');
    return;
  }
  const push = parsed.data;
  if (!push.ref.startsWith(BRANCH_PREFIX) || push.deleted) return;
  const branch = push.ref.slice(BRANCH_PREFIX.length);
  const onDefault = branch === session.defaultBranch;
  // A new default branch has no config before it; any other branch is compared with the default branch.
  const base = onDefault
    ? NO_COMMIT.test(push.before)
      ? undefined
      : { ref: push.before, label: `${session.defaultBranch} before this push (${push.before.slice(0, 7)})` }
    : { ref: session.defaultBranch, label: `the default branch (${session.defaultBranch})` };
  const read = (ref: string | undefined): Promise<ConfigAtRef> =>
    ref === undefined ? Promise.resolve({ kind: 'missing' }) : readConfigAt(session.github, session.repoFullName, ref);

  const touches = pushTouchesConfig(push);
  if (touches === false) return;
  const [head, before] = await Promise.all([read(push.after), read(base?.ref)]);
  if (touches === 'unknown' && sameConfig(head, before)) return;

  const baseConfig = baseConfigOf(before, base?.label ?? `${session.defaultBranch} (new)`);
  const check = configCheck(head, baseConfig);
  if (onDefault && (check.config !== undefined || head.kind === 'missing')) {
    const set =
      check.config === undefined
        ? []
        : environmentsSet(baseConfig.kind === 'config' ? baseConfig.config : null, check.config);
    const audited = await syncConfigRows(session.deps.service.db, {
      repoFullName: session.repoFullName,
      config: check.config ?? null,
      commit: push.after,
      installationId: session.installationId,
      actor: session.sender,
      set,
    });
    session.log.info(
      { commit: push.after, environmentsSet: set.length, audited },
      'config of the default branch synced',
    );
  }
  const id = await postConfigCheckRun(session.github, session.repoFullName, push.after, check.output);
  session.log.info({ checkRun: id, conclusion: check.output.conclusion, branch }, 'config change checked');
}
