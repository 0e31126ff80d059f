/** Shared types of the work order domain (docs/architecture.md, "Work order states"). No adapter types here. */

/** Every state, in the order of a successful life followed by the exits; see states.ts for the legal moves. */
export const WORK_ORDER_STATES = [
  'requested',
  'planned',
  'approved',
  'scheduled',
  'running',
  'succeeded',
  'accepted',
  'rejected',
  'failed',
  'aborted',
  'cancelled',
] as const;

/** Where a work order is in its life. */
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

/** The command or event that moves an order from one state to another; the closed list of states.ts. */
export type TransitionCause =
  | 'plan-posted'
  | 'plan-replaced'
  | 'quorum-reached'
  | 'quorum-lost'
  | 'start-deferred'
  | 'started'
  | 'release-succeeded'
  | 'release-failed'
  | 'aborted'
  | 'accepted'
  | 'rejected'
  | 'cancelled'
  | 'retry-requested'
  | 'rollback-started'
  | 'rollback-finished'
  | 'rollback-failed';

/**
 * Who caused a change: a person (a GitHub login; Slack users are mapped to their login by the adapter), or a part
 * of Yardmaster itself such as the worker that saw a release finish.
 */
export type Actor = { kind: 'user'; login: string } | { kind: 'system'; component: string };

/** Why a transition is asked for; becomes the audit row together with the two states. */
export interface TransitionRequest {
  cause: TransitionCause;
  actor: Actor;
  /** Free text for people reading the audit log, e.g. the rejection reason or "2 of 2 approvals". */
  reason: string;
  at: Date;
}

/** One row of the append-only audit log: who, when, from, to, why. */
export interface AuditEntry {
  from: WorkOrderState;
  to: WorkOrderState;
  cause: TransitionCause;
  actor: Actor;
  reason: string;
  at: Date;
}

/** Where an approval was given; the same person through two sources is still one person. */
export const APPROVAL_SOURCES = ['github', 'slack', 'cli'] as const;
export type ApprovalSource = (typeof APPROVAL_SOURCES)[number];

/**
 * What an approver said. `revoked` withdraws an earlier verdict (a CHANGES_REQUESTED review, a dismissed review)
 * without rejecting the order.
 */
export const APPROVAL_VERDICTS = ['approved', 'rejected', 'revoked'] as const;
export type ApprovalVerdict = (typeof APPROVAL_VERDICTS)[number];

/** One recorded verdict, bound to the plan digest its author saw. */
export interface ApprovalRecord {
  /** GitHub login; compared case-insensitively. */
  actor: string;
  source: ApprovalSource;
  digest: string;
  verdict: ApprovalVerdict;
  at: Date;
}

/** A role of the repo config (`roles:` in .github/yardmaster.yml, camelCase as in RolesConfig). */
export type RoleName = 'projectManager' | 'developer' | 'ops' | 'deployer' | 'acceptor';

/** A comment command after parsing (see commands.ts for the syntax). */
export type Command =
  /** `digestPrefix`: the approver names the plan digest they approve (at least 7 hex digits), binding to it. */
  | { name: 'approve'; comment?: string; digestPrefix?: string }
  | { name: 'reject'; reason: string }
  /** `/deploy` on an order: start it now (an approved or scheduled order), optionally during a freeze. */
  | { name: 'deploy'; overrideFreeze?: { reason: string } }
  /** `/deploy <env>` on a pull request: open a PR deployment work order for its head commit. */
  | { name: 'open-deployment'; environment: string }
  | { name: 'abort'; reason?: string }
  | { name: 'rollback'; version?: string }
  | { name: 'retry-failed' }
  | { name: 'accept'; comment?: string }
  | { name: 'lock'; reason: string }
  | { name: 'unlock' }
  | { name: 'status' };

/** The name of a parsed command. */
export type CommandName = Command['name'];
