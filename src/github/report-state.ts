/**
 * What the GitHub reporter knows of an order: the order and a client for its installation, the release under way
 * (its Deployment, one entry per stage with what each host did there, the GitHub ids made so far and what was last
 * sent), the labels, the last result and the `/rollback` under way. Engine events change it here; the writer modules
 * (report-check-runs, report-deployment, report-labels, report-comments) turn it into GitHub writes.
 */
import { STAGES, type ReleaseEvent, type ReleaseResult, type StageName } from '../deploy/types.ts';
import type { HostRollbackReport } from '../deploy/index.ts';
import type { WorkOrder } from '../workorders/service/index.ts';
import { KEPT_LINES, type HostStage } from './check-run-output.ts';
import type { OctokitSlice } from './octokit-slice.ts';

/** The order and a client for its installation. */
export interface ReportTarget {
  order: WorkOrder;
  github: OctokitSlice;
  owner: string;
  repo: string;
}

/** What was last sent of a check run (all of it), and when. */
export interface Sent {
  full: string;
  /** Sent in progress (with the Abort button). */
  running: boolean;
  at: number;
}

export interface StageReport {
  stage: StageName;
  hosts: Map<string, HostStage>;
  /** Hosts in the stage right now, and since when it has had any. */
  active: Set<string>;
  activeSince: number | undefined;
  checkRunId: number | undefined;
  sent: Sent | undefined;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure';

export interface DeploymentReport {
  id: number | undefined;
  /** Set when the reporter must make the Deployment itself (none was made at approval). */
  create: { production: boolean } | undefined;
  /** A Deployment made here says `queued` first (as one made at approval does). */
  queuedSent: boolean;
  wanted: { state: DeploymentState; description: string } | undefined;
  sent: DeploymentState | undefined;
}

export interface ReleaseReport {
  workOrderId: number;
  releaseId: string;
  app: string;
  environment: string;
  version: string;
  batches: string[][];
  /** The order's commit (check runs and the Deployment go on it); undefined when it could not be read. */
  sha: string | undefined;
  deployment: DeploymentReport;
  stages: Map<StageName, StageReport>;
  finished: boolean;
  result: ReleaseResult | undefined;
}

export interface RollbackReport {
  to: string | undefined;
  hosts: string[];
  finished: { ok: boolean; hosts: HostRollbackReport[] } | undefined;
  checkRunId: number | undefined;
  sent: string | undefined;
}

export interface LabelsReport {
  wanted: Map<string, boolean>;
  /** What the issue has, as read once (a read, not a write) and then as sent. */
  sent: Map<string, boolean>;
  read: boolean;
}

export interface OrderReport {
  workOrderId: number;
  target: { value: ReportTarget; at: number } | undefined;
  release: ReleaseReport | undefined;
  lastResult: ReleaseResult | undefined;
  lastWaiting: string | undefined;
  rollback: RollbackReport | undefined;
  labels: LabelsReport;
  /** Comments made so far (each is a write of its own). */
  comments: number;
}

export function newOrderReport(workOrderId: number): OrderReport {
  return {
    workOrderId,
    target: undefined,
    release: undefined,
    lastResult: undefined,
    lastWaiting: undefined,
    rollback: undefined,
    labels: { wanted: new Map(), sent: new Map(), read: false },
    comments: 0,
  };
}

type Started = Extract<ReleaseEvent, { type: 'release.started' }>;

export function newReleaseReport(workOrderId: number, event: Started): ReleaseReport {
  const stages = new Map(
    STAGES.map((stage): [StageName, StageReport] => [
      stage,
      { stage, hosts: new Map(), active: new Set(), activeSince: undefined, checkRunId: undefined, sent: undefined },
    ]),
  );
  return {
    workOrderId,
    releaseId: event.releaseId,
    app: event.app,
    environment: event.environment,
    version: event.version,
    batches: event.batches,
    sha: undefined,
    deployment: { id: undefined, create: undefined, queuedSent: true, wanted: undefined, sent: undefined },
    stages,
    finished: false,
    result: undefined,
  };
}

function hostStage(stage: StageReport, host: string): HostStage {
  let entry = stage.hosts.get(host);
  if (entry === undefined) {
    entry = { result: 'running', durationMs: undefined, exitCode: undefined, message: undefined, lines: [] };
    stage.hosts.set(host, entry);
  }
  return entry;
}

type StageEvent = Extract<ReleaseEvent, { type: 'stage.started' | 'stage.finished' | 'output' }>;

/** Applies a stage event; the stage it changed, if any. */
export function applyStageEvent(release: ReleaseReport, event: StageEvent): StageReport | undefined {
  if (event.stage === 'rollback') return undefined;
  const stage = release.stages.get(event.stage);
  if (stage === undefined) return undefined;
  const entry = hostStage(stage, event.host);
  if (event.type === 'stage.started') {
    entry.result = 'running';
    if (stage.active.size === 0) stage.activeSince = Date.now();
    stage.active.add(event.host);
  } else if (event.type === 'output') {
    entry.lines.push(event.line);
    if (entry.lines.length > KEPT_LINES) entry.lines.splice(0, entry.lines.length - KEPT_LINES);
  } else {
    Object.assign(entry, {
      result: event.result,
      durationMs: event.durationMs,
      exitCode: event.exitCode,
      message: event.message,
    });
    stage.active.delete(event.host);
    if (stage.active.size === 0) stage.activeSince = undefined;
  }
  return stage;
}

/** Every host of the release has ended this stage (its check run can complete before the release does). */
export function stageSettled(release: ReleaseReport, stage: StageReport): boolean {
  const everyHost = release.batches.flat();
  return (
    everyHost.length > 0 &&
    everyHost.every((host) => {
      const result = stage.hosts.get(host)?.result;
      return result !== undefined && result !== 'running';
    })
  );
}
