/** The work-order service: what the GitHub, Slack and CLI adapters and the release worker call. Wiring only. */
export type { Moved, OrderRef, Refusal, RepoContext, ServiceDeps, WorkOrder } from './types.ts';
export {
  openWorkOrder,
  type OpenWorkOrderInput,
  type OpenWorkOrderResult,
  type WorkOrderForm,
} from './open-work-order.ts';
export {
  refreshPlanCommit,
  restatePlanForConfig,
  submitPlan,
  type RefreshPlanInput,
  type RestatePlanInput,
  type SubmitPlanInput,
  type SubmitPlanResult,
} from './submit-plan.ts';
export type { PlanSummary, StageSource, StageSummary } from './plan-summary.ts';
export { recordVerdict, type VerdictInput, type VerdictRefusalReason, type VerdictResult } from './record-verdict.ts';
export { handleCommand, type CommandInput } from './handle-command.ts';
export type { CommandOutcome, CommandRefusalReason, CommandResult } from './command-result.ts';
export { cancelWorkOrder, type CancelResult } from './cancel-work-order.ts';
export { getWorkOrderStatus, type StatusSummary } from './status-summary.ts';
export { findWorkOrder, getWorkOrder, type WorkOrderLookup } from './order-store.ts';
export { currentPlan, toJsonRecord, type StoredPlan } from './plan-store.ts';
export { hostRunsOf, type HostRunRow } from './release-store.ts';
export { AUDIT_ACTIONS, SYSTEM_ACTOR, userActor } from './audit-actions.ts';
export { approvalSnapshot, type ApprovalSnapshot } from './approval-snapshot.ts';
export { fleetStatus, type FleetFilter, type FleetStatus, type OrderLine } from './fleet-status.ts';
export * from './release-lifecycle.ts';
export { currentPlanVersion, planVersionAt } from './plan-store.ts';
export { type SummaryHost } from './plan-summary.ts';
export {
  checkPreflightJob,
  finishPreflight,
  type PreflightJobCheck,
} from './preflight-job.ts';
export {
  latestPreflight,
  preflightOf,
  rememberPreflightReply,
  type PreflightView,
} from './preflight-store.ts';
export { PREFLIGHT_QUEUE, preflightJobSchema, type PreflightJobData } from './release-jobs.ts';
