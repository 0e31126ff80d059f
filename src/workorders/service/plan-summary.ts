/**
 * What the bot answers to a plan: hosts per batch, every command of every stage (the repo config's under the plan's,
 * each stage saying where its commands come from), and whose approvals it needs.
 */
import { type CommandOrigin, describeStageOrigin, effectiveCommands, type StageOrigin } from '../../config/index.ts';
import type { AppConfig, EnvironmentConfig, ResolvedHost, RolesConfig } from '../../config/types.ts';
import { planBatches } from '../../deploy/index.ts';
import { STAGES, type StageName } from '../../deploy/types.ts';
import {
  COMMAND_STAGES,
  type CommandSettings,
  type CommandStage,
  type HealthCheck,
  type MonitorCheck,
  type Plan,
  type PlanCommands,
  type Probe,
  type Strategy,
} from '../../plan/types.ts';
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
  /** Where its commands come from; absent when neither the repo config nor the plan sets the stage. */
  source?: StageSource;
}

/** Where a stage's commands come from, and for a plan override what it replaces. */
export interface StageSource {
  from: CommandOrigin;
  /** For people: `from the app's commands in the repo config`, `plan override: replaces …`. */
  text: string;
  /** A plan override: what the repo config would have run in the stage. */
  replaced?: Pick<StageSummary, 'commands' | 'check' | 'http'>;
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

function stageSummary(commands: PlanCommands, stage: StageName): StageSummary {
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

function isCommandStage(stage: StageName): stage is CommandStage {
  return COMMAND_STAGES.some((name) => name === stage);
}

function fromSettings(settings: CommandSettings): PlanCommands {
  return { check: [], preDeploy: [], postDeploy: [], release: [], ...settings };
}

function stageSource(stage: StageName, origin: StageOrigin): StageSource {
  const source: StageSource = { from: origin.origin, text: describeStageOrigin(origin) };
  if (origin.replaces !== undefined) {
    const { commands, check, http } = stageSummary(fromSettings(origin.replaces.settings), stage);
    source.replaced = { commands, ...(check === undefined ? {} : { check }), ...(http === undefined ? {} : { http }) };
  }
  return source;
}

/** Each stage as the release runs it: the repo config's commands under the plan's own, with where they come from. */
function stageSummaries(plan: Plan, app: AppConfig, environment: EnvironmentConfig): StageSummary[] {
  const effective = effectiveCommands(plan, { app, environment });
  return STAGES.map((stage) => {
    const summary = stageSummary(effective.commands, stage);
    const origin = isCommandStage(stage) ? effective.origins[stage] : undefined;
    return origin === undefined ? summary : { ...summary, source: stageSource(stage, origin) };
  });
}

export interface SummaryInput {
  plan: Plan;
  app: AppConfig;
  hosts: readonly ResolvedHost[];
  environment: EnvironmentConfig;
  roles: RolesConfig;
  version: { seq: number; digest: string; commitSha: string | null; author: string };
}

/** The summary of a plan resolved against the repo config. */
export function summarizePlan(input: SummaryInput): PlanSummary {
  const { plan, app, environment, version } = input;
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
    stages: stageSummaries(plan, app, environment),
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
