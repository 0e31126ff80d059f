/**
 * Shared types of the work-order service: the application layer the GitHub, Slack and CLI adapters call. Every
 * function takes the database and the narrow collaborators it uses, writes an audit row for every change, and
 * answers expected refusals with a result (`{ ok: false, reason, message }`), never an exception.
 */
import type { RepoConfig } from '../../config/types.ts';
import type { workOrders } from '../../db/index.ts';
import type { Db } from '../../db/types.ts';
import type { PolicySource } from '../../policy/index.ts';
import type { TeamMembership } from '../roles.ts';
import type { TransitionCause, WorkOrderState } from '../types.ts';
import type { ReleaseJobQueue } from './release-jobs.ts';

/** A work order as stored. */
export type WorkOrder = typeof workOrders.$inferSelect;

/** Which order a call is about; the service reads it again under a row lock, so a stale copy is fine. */
export type OrderRef = Pick<WorkOrder, 'id'>;

/** What policy needs to know about the order's repository. */
export interface RepoContext {
  /** `.github/yardmaster.yml` of the default branch. */
  config: RepoConfig;
  /** The organisation (repo owner) whose teams `team:slug` entries name. */
  org: string;
  membership: TeamMembership;
}

/** The collaborators of the service. */
export interface ServiceDeps {
  db: Db;
  /** `release.start` / `release.rollback`; jobs are sent and cancelled inside the service's transactions. */
  queue: ReleaseJobQueue;
  /** The operator's policy: what each repository's plans may touch (checked when a plan is submitted). */
  policy: PolicySource;
  /** The clock for freeze windows and schedules (tests pin it); default `new Date()`. */
  now?: () => Date;
}

/** A transition that happened. */
export interface Moved {
  from: WorkOrderState;
  to: WorkOrderState;
  cause: TransitionCause;
}

/** A refusal an adapter can show as it is. */
export interface Refusal<R extends string> {
  ok: false;
  reason: R;
  message: string;
}
