/** Shared types of the work order domain (docs/architecture.md, "Work order states"). No adapter types here. */

// The words of states, approval sources and verdicts are the database's closed lists too: they live at the bottom,
// in db/vocabulary.ts (no drizzle there), and the domain takes them from it.
import type { ApprovalSource, ApprovalVerdict, WorkOrderState } from '../db/vocabulary.ts';

export {
  APPROVAL_SOURCES,
  APPROVAL_VERDICTS,
  WORK_ORDER_STATES,
  type ApprovalSource,
  type ApprovalVerdict,
  type WorkOrderState,
} from '../db/vocabulary.ts';

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

/** The people a work order names for its steps (the issue form, or `/deploy <env>` options); GitHub logins. */
export interface NamedPeople {
  planAuthor?: string;
  deployer?: string;
  acceptor?: string;
}

/**
 * `--override-named "<reason>"`: someone holding the step's role acts instead of the person the order names;
 * the reason is audited with the named person.
 */
export interface NamedOverride {
  reason: string;
}

/** A comment command after parsing (see commands.ts for the syntax). */
export type Command =
  /** `digestPrefix`: the approver names the plan digest they approve (at least 7 hex digits), binding to it. */
  | { name: 'approve'; comment?: string; digestPrefix?: string }
  | { name: 'reject'; reason: string }
  /** `/deploy` on an order: start it now (an approved or scheduled order), optionally during a freeze. */
  | { name: 'deploy'; overrideFreeze?: { reason: string }; overrideNamed?: NamedOverride }
  /** `/deploy <env>` on a pull request: open a PR deployment work order, naming its people if given. */
  | { name: 'open-deployment'; environment: string; people?: NamedPeople }
  | { name: 'abort'; reason?: string; overrideNamed?: NamedOverride }
  | { name: 'rollback'; version?: string; overrideNamed?: NamedOverride }
  | { name: 'retry-failed'; overrideNamed?: NamedOverride }
  | { name: 'accept'; comment?: string; overrideNamed?: NamedOverride }
  | { name: 'lock'; reason: string }
  | { name: 'unlock' }
  /** Runs the current plan's pre-flight again (the check stage, read-only, on every host). */
  | { name: 'preflight' }
  | { name: 'status' };

/** The name of a parsed command. */
export type CommandName = Command['name'];
