/** What the bot answers to a plan: hosts per batch, stages, and whose approvals it needs. */
import type { EnvironmentConfig, ResolvedHost, RolesConfig } from '../../config/types.ts';
import { planBatches } from '../../deploy/rollout-plan.ts';
import { STAGES, type StageName } from '../../deploy/types.ts';
import type { HealthCheck, MonitorCheck, Plan, Probe, Strategy } from '../../plan/types.ts';
import { approverPrincipals } from '../roles.ts';

/** One stage as this plan runs it: its commands, or its check, or only its built-in part. */
export interface StageSummary {
  stage: StageName;
  commands: string[];
  /** Health and monitor: the probe in words, e.g. "http http://127.0.0.1:8080/healthz → 200, 11 tries 2s apart". */
  check?: string;
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
  stages: StageSummary[];
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

function describeProbe(probe: Probe): string {
  return probe.kind === 'http' ? `http ${probe.url} → ${probe.expectStatus}` : `command ${probe.command}`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function describeHealth(health: HealthCheck): string {
  return `${describeProbe(health.probe)}, ${health.retries + 1} tries ${seconds(health.intervalMs)} apart`;
}

function describeMonitor(monitor: MonitorCheck): string {
  return `${describeProbe(monitor.probe)} every ${seconds(monitor.intervalMs)} for ${seconds(monitor.durationMs)}`;
}

function stageSummary(plan: Plan, stage: StageName): StageSummary {
  const { commands } = plan;
  switch (stage) {
    case 'check':
      return { stage, commands: commands.check };
    case 'pre_deploy':
      return { stage, commands: commands.preDeploy };
    case 'post_deploy':
      return { stage, commands: commands.postDeploy };
    case 'release':
      return { stage, commands: commands.release };
    case 'health':
      return commands.health === undefined ? { stage, commands: [] } : { stage, commands: [], check: describeHealth(commands.health) };
    case 'monitor':
      return commands.monitor === undefined ? { stage, commands: [] } : { stage, commands: [], check: describeMonitor(commands.monitor) };
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
    batches: planBatches(input.hosts.map((host) => host.entry.name), plan.strategy),
    stages: STAGES.map((stage) => stageSummary(plan, stage)),
    approvals: { needed: environment.approvals, from: approverPrincipals(input.roles, environment), excluding: version.author },
    schedule: plan.schedule ?? null,
    freeze: [...environment.freeze],
  };
}
