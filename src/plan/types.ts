/** Shared types of a parsed, normalised deployment plan (see src/plan/README.md). */

/** A batch size as written in a plan: `3` or `25%`. */
export type BatchSize = { kind: 'count'; count: number } | { kind: 'percent'; percent: number };

/** How a rollout walks the hosts. `maxFailures` is how many failed hosts are tolerated before the release stops. */
export type Strategy =
  | { mode: 'serial'; maxFailures: number }
  | { mode: 'parallel'; concurrency: number; maxFailures: number }
  | { mode: 'batches'; batchSize: BatchSize; canary: number; pauseMs: number; maxFailures: number };

/** One probe of a host: an HTTP GET seen from the host itself, or a shell command run there. */
export type Probe = { kind: 'http'; url: string; expectStatus: number } | { kind: 'command'; command: string };

/** Stage 6: a probe retried until it passes. */
export interface HealthCheck {
  probe: Probe;
  retries: number;
  intervalMs: number;
}

/** Stage 8: a probe repeated for a window; any failure fails the window. */
export interface MonitorCheck {
  probe: Probe;
  durationMs: number;
  intervalMs: number;
}

/**
 * Package transfer methods; `stream` pipes the archive straight into `tar -x` on the host, `sftp`/`scp` upload it,
 * `pull` has each host download it from the package URL itself (curl or wget).
 */
export type TransferMethod = 'stream' | 'sftp' | 'scp' | 'pull';

/** The command stages, as their keys under `commands:` (in a plan and in the repo config), in the order they run. */
export const COMMAND_STAGES = ['check', 'pre_deploy', 'post_deploy', 'release', 'health', 'monitor'] as const;
export type CommandStage = (typeof COMMAND_STAGES)[number];

export interface PlanCommands {
  check: string[];
  preDeploy: string[];
  postDeploy: string[];
  release: string[];
  health?: HealthCheck;
  monitor?: MonitorCheck;
}

/** Commands of some stages only (an app's or environment's `commands:` in the repo config): a stage left out is unset. */
export type CommandSettings = Partial<PlanCommands>;

/** A validated plan. Field names are camelCase; the YAML uses snake_case. */
export interface Plan {
  app: string;
  environment: string;
  version: string;
  rollbackVersion?: string;
  package: { url: string; sha256: string };
  /** Groups or host names from the config, in rollout order; absent = the environment's hosts. */
  hosts?: string[];
  strategy: Strategy;
  commands: PlanCommands;
  schedule?: Date;
  keepReleases: number;
  transfer?: TransferMethod;
  commandTimeoutMs: number;
}

/** One problem found in a plan or config, located in its source. */
export interface SourceIssue {
  /** 1-based line, 0 when unknown. */
  line: number;
  /** 1-based column, 0 when unknown. */
  column: number;
  /** Dotted path of the field, e.g. `strategy.batch_size`; empty for the document itself. */
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: SourceIssue[] };
