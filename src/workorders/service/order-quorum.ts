/** Quorum of an order's current plan, with team membership looked up before the transaction that acts on it. */
import { rolesForApp } from '../../config/index.ts';
import type { EnvironmentConfig } from '../../config/types.ts';
import type { DbExecutor } from '../../db/types.ts';
import { evaluateQuorum, type QuorumResult } from '../quorum.ts';
import { approverPrincipals, holdersAmong, normalizeLogin } from '../roles.ts';
import type { ApprovalRecord } from '../types.ts';
import { approvalRecords } from './approvals-store.ts';
import type { StoredPlan } from './plan-store.ts';
import type { RepoContext } from './types.ts';

/**
 * Which logins were checked for the approver role and which hold it. Team lookups go to GitHub; they run before the
 * transaction, which holds the order's row lock and (once it audits) the audit log's lock, and must stay short.
 */
export interface ApproverLookup {
  checked: ReadonlySet<string>;
  holders: ReadonlySet<string>;
}

/**
 * Looks up the approvers of the plan's `target` (its app, whose project's `ops` may replace the repository's, and
 * its environment's `approvers`) among the people who gave a verdict on the order so far, and `more`.
 */
export async function lookupApprovers(
  db: DbExecutor,
  context: RepoContext,
  target: { app: string; config: Pick<EnvironmentConfig, 'approvers'> },
  workOrderId: number,
  more: readonly string[] = [],
): Promise<ApproverLookup> {
  const records = await approvalRecords(db, workOrderId);
  const checked = new Set([...records.map((record) => record.actor), ...more].map(normalizeLogin));
  const principals = approverPrincipals(rolesForApp(context.config, target.app), target.config);
  const holders = await holdersAmong(principals, checked, context.org, context.membership);
  return { checked, holders };
}

/** The quorum, or the logins that appeared since the lookup (a concurrent verdict): look up again and retry. */
export type OrderQuorum = { ok: true; quorum: QuorumResult } | { ok: false; unknown: string[] };

/** Evaluates `records` against the current plan and the environment's `approvals`. */
export function evaluateOrderQuorum(
  records: readonly ApprovalRecord[],
  stored: StoredPlan,
  environment: Pick<EnvironmentConfig, 'approvals'>,
  lookup: ApproverLookup,
): OrderQuorum {
  const unknown = [...new Set(records.map((record) => normalizeLogin(record.actor)))].filter(
    (login) => !lookup.checked.has(login),
  );
  if (unknown.length > 0) return { ok: false, unknown };
  return {
    ok: true,
    quorum: evaluateQuorum({
      approvals: records,
      digest: stored.row.digest,
      planAuthor: stored.row.author,
      required: environment.approvals,
      isApprover: (login) => lookup.holders.has(login),
    }),
  };
}

/** "2 of 2 approvals: carol, dave", for audit rows and replies. */
export function describeQuorum(quorum: QuorumResult): string {
  if (quorum.needed === 0) return 'no approvals needed';
  const who = quorum.counted.length === 0 ? '' : `: ${quorum.counted.join(', ')}`;
  return `${quorum.counted.length} of ${quorum.needed} approvals${who}`;
}
