/** What the bot answers to a plan: hosts per batch, every command of every stage, and whose approvals it needs. */
import type { EnvironmentConfig, ResolvedHost, RolesConfig } from '../../config/types.ts';
import { planBatches } from '../../deploy/index.ts';
import { STAGES, type StageName } from '../../deploy/types.ts';
import type { HealthCheck, MonitorCheck, Plan, Probe, Strategy } from '../../plan/types.ts';
import { approverPrincipals } from '../roles.ts';

/** One stage as this plan runs it: its commands, or its check, or only its built-in part. */
export interface StageSummary {
  stage: StageName;
  /** What the stage runs on each host, verbatim and in order; for health and monitor, a command probe's command. */
  commands: string[];
  /** Health and monitor: how the probe repeats, in words holding nothing the plan wrote, e.g. "3 tries 2s apart". */
  check?: string;
  /** Health and monitor with an HTTP probe: the URL (fetched from the host itself) and the status expected. */
  http?: { url: string; expectStatus: number };
}

/** A host as the release reaches it. */
export interface SummaryHost {
  name: string;
  address: string;
  port: number;
}

export interface PlanSummary {
  app: string;
  environment: string;
  production: boolean;
  version: string;
  package: { url: string; sha256: string };
  /** The plan version (1, 2, …) and the digest approvals are bound to. */
  seq: number;
  digest: string;
  commitSha: string | null;
  author: string;
  strategy: Strategy;
  /** Host names per batch, in rollout order. */
  batches: string[][];
  /** The same batches with each host's address and port. */
  batchHosts: SummaryHost[][];
  stages: StageSummary[];
  /** The release a failed host goes back to; null = whatever was live before. */
  rollbackVersion: string | null;
  /** Each command's time limit. */
  commandTimeoutMs: number;
  approvals: {
    needed: number;
    /** Logins and `team:slug` entries whose approval counts. */
    from: string[];
    /** The plan's author, who never counts (four eyes). */
    excluding: string;
  };
  /** The plan's `schedule`, if any. */
  schedule: Date | null;
  freeze: string[];
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A health or monitor stage: the probe's command among the commands (verbatim), or its HTTP URL apart. */
function probeStage(stage: StageName, probe: Probe, check: string): StageSummary {
  return probe.kind === 'http'
    ? { stage, commands: [], check, http: { url: probe.url, expectStatus: probe.expectStatus } }
    : { stage, commands: [probe.command], check };
}

function describeHealth(health: HealthCheck): string {
  return `${health.retries + 1} tries ${seconds(health.intervalMs)} apart`;
}

function describeMonitor(monitor: MonitorCheck): string {
  return `every ${seconds(monitor.intervalMs)} for ${seconds(monitor.durationMs)}`;
}

function stageSummary(plan: Plan, stage: StageName): StageSummary {
  const { commands } = plan;
  switch (stage) {
    case 'check':
      return { stage, commands: [...commands.check] };
    case 'pre_deploy':
      return { stage, commands: [...commands.preDeploy] };
    case 'post_deploy':
      return { stage, commands: [...commands.postDeploy] };
    case 'release':
      return { stage, commands: [...commands.release] };
    case 'health':
      return commands.health === undefined
        ? { stage, commands: [] }
        : probeStage(stage, commands.health.probe, describeHealth(commands.health));
    case 'monitor':
      return commands.monitor === undefined
        ? { stage, commands: [] }
        : probeStage(stage, commands.monitor.probe, describeMonitor(commands.monitor));
    default:
      return { stage, commands: [] };
  }
}

export interface SummaryInput {
  plan: Plan;
  hosts: readonly ResolvedHost[];
  environment: EnvironmentConfig;
  roles: RolesConfig;
  version: { seq: number; digest: string; commitSha: string | null; author: string };
}

/** The summary of a plan resolved against the repo config. */
export function summarizePlan(input: SummaryInput): PlanSummary {
  const { plan, environment, version } = input;
  return {
    app: plan.app,
    environment: plan.environment,
    production: environment.production,
    version: plan.version,
    package: { ...plan.package },
    seq: version.seq,
    digest: version.digest,
    commitSha: version.commitSha,
    author: version.author,
    strategy: plan.strategy,
    batches: planBatches(
      input.hosts.map((host) => host.entry.name),
      plan.strategy,
    ),
    batchHosts: planBatches(
      input.hosts.map(({ entry }) => ({ name: entry.name, address: entry.address, port: entry.port })),
      plan.strategy,
    ),
    stages: STAGES.map((stage) => stageSummary(plan, stage)),
    rollbackVersion: plan.rollbackVersion ?? null,
    commandTimeoutMs: plan.commandTimeoutMs,
    approvals: {
      needed: environment.approvals,
      from: approverPrincipals(input.roles, environment),
      excluding: version.author,
    },
    schedule: plan.schedule ?? null,
    freeze: [...environment.freeze],
  };
}
