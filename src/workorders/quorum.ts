/**
 * Whether an order's plan has enough approvals (docs/architecture.md, "Work order states").
 *
 * Rules: only each person's latest verdict counts, across sources (a GitHub review and a Slack click by the same
 * login are one person); a verdict counts only for the digest it saw; the plan's author never counts as an approval
 * (four eyes); only approvers count; `approvals: 0` needs nobody. A current rejection by an approver stops the
 * quorum whatever the approvals, and an author who is an approver may reject their own plan.
 */
import { normalizeLogin } from './roles.ts';
import type { ApprovalRecord } from './types.ts';

/** Why a person's latest verdict does not count, checked in this order. */
export type IgnoredReason = 'revoked' | 'stale-digest' | 'author' | 'not-an-approver';

/** What quorum evaluation needs. */
export interface QuorumInput {
  approvals: readonly ApprovalRecord[];
  /** The digest of the order's current plan. */
  digest: string;
  /** The login of the current plan's author. */
  planAuthor: string;
  /** The environment's `approvals`. */
  required: number;
  /**
   * Whether a login (lowercased) is an approver of the environment; precomputed (see `holdersAmong` in roles.ts)
   * because team membership is asynchronous and evaluation is not.
   */
  isApprover: (login: string) => boolean;
}

/** The verdict on the approvals: who counted, who did not and why. */
export interface QuorumResult {
  met: boolean;
  /** Logins whose approval counts, in the order they approved (as the login was written in that approval). */
  counted: string[];
  needed: number;
  /** How many more approvals are needed; 0 once enough approved, even while a rejection stops the order. */
  missing: number;
  ignored: { actor: string; reason: IgnoredReason }[];
  /** The first approver whose current verdict rejects the plan. */
  rejectedBy?: string;
}

/** Each person's latest verdict; on equal times the later record wins, as it was recorded later. */
function latestByActor(approvals: readonly ApprovalRecord[]): ApprovalRecord[] {
  const latest = new Map<string, ApprovalRecord>();
  for (const record of approvals) {
    const key = normalizeLogin(record.actor);
    const seen = latest.get(key);
    if (seen === undefined || record.at.getTime() >= seen.at.getTime()) latest.set(key, record);
  }
  return [...latest.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

function ignoredReason(record: ApprovalRecord, input: QuorumInput): IgnoredReason | undefined {
  if (record.verdict === 'revoked') return 'revoked';
  if (record.digest.trim().toLowerCase() !== input.digest.trim().toLowerCase()) return 'stale-digest';
  const login = normalizeLogin(record.actor);
  if (record.verdict === 'approved' && login === normalizeLogin(input.planAuthor)) return 'author';
  if (!input.isApprover(login)) return 'not-an-approver';
  return undefined;
}

/** Evaluates the approvals of an order against its current plan digest and its environment's quorum. */
export function evaluateQuorum(input: QuorumInput): QuorumResult {
  const needed = Math.max(0, input.required);
  const counted: string[] = [];
  const ignored: QuorumResult['ignored'] = [];
  let rejectedBy: string | undefined;
  for (const record of latestByActor(input.approvals)) {
    const reason = ignoredReason(record, input);
    if (reason !== undefined) ignored.push({ actor: record.actor, reason });
    else if (record.verdict === 'approved') counted.push(record.actor);
    else rejectedBy ??= record.actor;
  }
  const missing = Math.max(0, needed - counted.length);
  const result: QuorumResult = { met: rejectedBy === undefined && missing === 0, counted, needed, missing, ignored };
  if (rejectedBy !== undefined) result.rejectedBy = rejectedBy;
  return result;
}
