/** Shared types of the release engine: requests, per-host reports, results and the events reporters consume. */
import type { PackageAccess } from './package-source.ts';
import type { AppConfig, EnvironmentConfig, HostEntry, ResolvedHost } from '../config/types.ts';
import type { Executor } from '../executors/types.ts';
import type { Plan, TransferMethod } from '../plan/types.ts';

/** The nine stages of a release on one host, in order. */
export const STAGES = [
  'check',
  'fetch',
  'pre_deploy',
  'switch',
  'post_deploy',
  'health',
  'release',
  'monitor',
  'done',
] as const;
export type StageName = (typeof STAGES)[number];

export type StageResult = 'ok' | 'failed' | 'skipped';

/** What happened to one host. */
export type HostOutcome =
  | 'released' // switched to the new version and went through every stage
  | 'unchanged' // the version was already live; nothing done
  | 'failed' // this host failed (and, if it had switched, was rolled back)
  | 'rolled_back' // switched, then rolled back because of a failure elsewhere or an abort
  | 'aborted' // interrupted before its switch; `current` untouched
  | 'untouched'; // never started

export interface HostFailure {
  stage: StageName;
  exitCode: number | null;
  message: string;
  lastLines: string[];
}

export interface HostReport {
  host: string;
  outcome: HostOutcome;
  /** The release that was live before this run (null: none). */
  previousVersion: string | null;
  failure?: HostFailure;
  /** Set when the host was rolled back: the version it went back to (null: no previous release, `current` removed). */
  rolledBackTo?: string | null;
  /** Set when a rollback was needed but could not be completed. */
  rollbackError?: string;
  durationMs: number;
}

export type ReleaseStatus = 'succeeded' | 'partial' | 'failed' | 'aborted';

export interface ReleaseResult {
  releaseId: string;
  app: string;
  environment: string;
  version: string;
  status: ReleaseStatus;
  /** Why the release as a whole did not start, when it failed before touching any host (e.g. a bad package). */
  error?: string;
  hosts: HostReport[];
  /** The first host failure, named for reports. */
  failedHost?: { host: string } & HostFailure;
  durationMs: number;
}

export type ReleaseEvent =
  | {
      type: 'release.started';
      releaseId: string;
      app: string;
      environment: string;
      version: string;
      batches: string[][];
      at: string;
    }
  | { type: 'batch.started'; releaseId: string; batch: number; hosts: string[] }
  | { type: 'host.started'; releaseId: string; host: string; batch: number }
  | { type: 'stage.started'; releaseId: string; host: string; stage: StageName }
  | {
      type: 'output';
      releaseId: string;
      host: string;
      stage: StageName | 'rollback';
      stream: 'stdout' | 'stderr';
      line: string;
    }
  | {
      type: 'stage.finished';
      releaseId: string;
      host: string;
      stage: StageName;
      result: StageResult;
      durationMs: number;
      exitCode?: number | null;
      message?: string;
    }
  | { type: 'host.finished'; releaseId: string; host: string; report: HostReport }
  | { type: 'rollback.started'; releaseId: string; host: string; to: string | null }
  | { type: 'rollback.finished'; releaseId: string; host: string; to: string | null; ok: boolean; message?: string }
  | { type: 'release.finished'; releaseId: string; result: ReleaseResult };

export type EventSink = (event: ReleaseEvent) => void;

/** Opens an executor for one host (the registry, bound to credentials and host-key policy). */
export type ConnectHost = (host: HostEntry, signal: AbortSignal) => Promise<Executor>;

export interface ReleaseRequest {
  plan: Plan;
  app: AppConfig;
  environment: EnvironmentConfig;
  hosts: ResolvedHost[];
  /** Values of the environment's secret_env, from the controller's own environment. */
  secrets: Readonly<Record<string, string>>;
  /** Re-release a version even where it is already live. */
  force?: boolean;
  /** Take over a host lock held by another release. */
  breakLock?: boolean;
  workOrder?: string;
  releaseId?: string;
  signal?: AbortSignal;
}

export interface EngineOptions {
  connect: ConnectHost;
  onEvent?: EventSink;
  /** Where relative package paths are looked up. */
  artifactsDir: string;
  /** Where downloaded packages are cached by sha256. */
  cacheDir: string;
  /** Default transfer when neither plan nor config picks one. */
  defaultTransfer?: TransferMethod;
  /** Who is releasing, recorded in locks and logs. */
  actor?: string;
  /** What package sources the release may read (server mode: from the operator's policy); absent = anything. */
  packageAccess?: PackageAccess;
}
