/** The answer to a submitted plan, composed from what storing it did. */
import type { Plan } from '../../plan/types.ts';
import type { PlanSummary } from './plan-summary.ts';
import type { PlanStoreOutcome } from './store-plan-version.ts';

type Kept = Exclude<PlanStoreOutcome, { kind: 'refused' }>;

/** What the reply says: unchanged, or the new version, whose approvals were dropped, and whether it starts at once. */
export function planReplyMessage(plan: Plan, outcome: Kept, summary: PlanSummary): string {
  if (outcome.kind === 'unchanged') return `Plan unchanged (v${outcome.row.seq}): approvals stand.`;
  const dropped =
    outcome.dropped.length > 0
      ? `; approvals by ${outcome.dropped.join(', ')} were for the previous plan and no longer count`
      : '';
  const next =
    outcome.jobId !== null
      ? '; no approvals needed: queued to start.'
      : `; needs ${summary.approvals.needed} approval(s).`;
  return `Plan v${outcome.row.seq}: ${plan.app} ${plan.version} to ${plan.environment}${dropped}${next}`;
}
