/**
 * The closed word lists the database enforces with CHECK constraints. They live apart from the schema so the
 * domain can import them without pulling in drizzle, and they are tied to the release engine's own types at
 * compile time, so a new engine outcome cannot reach a column that would refuse it.
 */
import type { HostOutcome, ReleaseStatus, StageName, StageResult } from '../deploy/types.ts';
import { STAGES } from '../deploy/types.ts';

/** A list of exactly the members of `Union`: a missing member or an extra word fails to compile. */
function everyOf<Union extends string>() {
  return <const List extends readonly Union[]>(
    list: List & ([Union] extends [List[number]] ? unknown : { missing: Exclude<Union, List[number]> }),
  ): List => list;
}

// Work order states, approval sources and verdicts: the domain (workorders/types.ts) takes its words from here.

/** Every state, in the order of a successful life followed by the exits; see workorders/states.ts for the legal moves. */
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

/** Where an approval was given; the same person through two sources is still one person. */
export const APPROVAL_SOURCES = ['github', 'slack', 'cli'] as const;
export type ApprovalSource = (typeof APPROVAL_SOURCES)[number];

/**
 * What an approver said. `revoked` withdraws an earlier verdict (a CHANGES_REQUESTED review, a dismissed review)
 * without rejecting the order.
 */
export const APPROVAL_VERDICTS = ['approved', 'rejected', 'revoked'] as const;
export type ApprovalVerdict = (typeof APPROVAL_VERDICTS)[number];

/** Where a plan version's pre-flight is: queued or running, every host ready, or some check failed. */
export const PREFLIGHT_STATUSES = ['pending', 'passed', 'failed'] as const;
export type PreflightStatus = (typeof PREFLIGHT_STATUSES)[number];

/** An issue with the `work-order` label, or a `/deploy <env>` on a pull request. */
export const WORK_ORDER_KINDS = ['issue', 'pull_request'] as const;
export type WorkOrderKind = (typeof WORK_ORDER_KINDS)[number];

/** A release is `queued` and `running` before the engine's own final statuses. */
export const RELEASE_STATUSES = everyOf<'queued' | 'running' | ReleaseStatus>()([
  'queued',
  'running',
  'succeeded',
  'partial',
  'failed',
  'aborted',
]);
export type ReleaseRowStatus = (typeof RELEASE_STATUSES)[number];

export const HOST_OUTCOMES = everyOf<HostOutcome>()([
  'released',
  'unchanged',
  'failed',
  'rolled_back',
  'aborted',
  'untouched',
]);

/** The nine stages plus `rollback`, which the engine reports like a stage. */
export const STAGE_EVENT_STAGES = everyOf<StageName | 'rollback'>()([...STAGES, 'rollback']);
export type StageEventStage = (typeof STAGE_EVENT_STAGES)[number];

/** `started` rows let the dashboard show the running stage; the rest are the engine's stage results. */
export const STAGE_EVENT_RESULTS = everyOf<'started' | StageResult>()(['started', 'ok', 'failed', 'skipped']);

/**
 * `received` (stored, answered) → `handling` (a handler took it) → `handled` | `failed`, or `retrying` (failed for a
 * transient reason; taken again at `next_attempt_at`); `ignored` for events no handler wants.
 */
export const WEBHOOK_DELIVERY_STATUSES = ['received', 'handling', 'handled', 'failed', 'ignored', 'retrying'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
