/**
 * `preflight: required`: an environment that takes approvals only once the current plan's pre-flight has passed.
 * Approvals given before are refused, not held: the rule is "refuses approvals", and an approver who saw a
 * failing pre-flight should look again. Once it passes, approvals given from then on count as usual.
 */
import type { EnvironmentConfig } from '../../config/types.ts';
import type { DbExecutor } from '../../db/types.ts';
import { preflightOf, type PreflightView } from './preflight-store.ts';
import type { Refusal } from './types.ts';

/** What a pre-flight says, in a few words: `pending`, `passed`, or `failed on host-1, host-2` (or why it did not run). */
export function preflightWords(view: PreflightView | undefined): string {
  if (view === undefined) return 'not run';
  if (view.status !== 'failed') return view.status;
  const failing = view.hosts.filter((host) => !host.ok).map((host) => host.host);
  if (failing.length > 0) return `failed on ${failing.join(', ')}`;
  return `failed: ${view.message ?? 'no host was checked'}`;
}

/** The refusal of an approval while a required pre-flight has not passed; undefined when the approval may go on. */
export async function preflightRefusal(
  db: DbExecutor,
  environment: EnvironmentConfig,
  version: { workOrderId: number; digest: string; seq: number },
): Promise<Refusal<'preflight-not-passed'> | undefined> {
  if (environment.preflight !== 'required') return undefined;
  const view = await preflightOf(db, version.workOrderId, version.digest);
  if (view?.status === 'passed') return undefined;
  const rerun = view?.status === 'pending' ? 'wait for its result' : 'fix the hosts and run /preflight again';
  return {
    ok: false,
    reason: 'preflight-not-passed',
    message: `this environment takes approvals only after the pre-flight of plan v${String(version.seq)} has passed; it is ${preflightWords(view)}: ${rerun}, then approve`,
  };
}
