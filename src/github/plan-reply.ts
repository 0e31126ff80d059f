/** The bot's answers to a plan comment: what the plan will do, or where it is wrong. */
import { formatBatchSize } from '../plan/batch-size.ts';
import { formatDuration } from '../plan/duration.ts';
import { formatIssues } from '../plan/format-issues.ts';
import type { HealthCheck, MonitorCheck, Plan, Probe, SourceIssue, Strategy } from '../plan/types.ts';
import { codeBlock, inlineCode } from './markdown.ts';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function describeFailures(maxFailures: number): string {
  return maxFailures === 0 ? 'stops at the first failed host' : `stops after ${plural(maxFailures, 'failed host')}`;
}

function describeStrategy(strategy: Strategy): string {
  switch (strategy.mode) {
    case 'serial':
      return `one host at a time; ${describeFailures(strategy.maxFailures)}`;
    case 'parallel':
      return `up to ${plural(strategy.concurrency, 'host')} at once; ${describeFailures(strategy.maxFailures)}`;
    case 'batches': {
      const parts = [`batches of ${formatBatchSize(strategy.batchSize)}`];
      if (strategy.canary > 0) parts.push(`${plural(strategy.canary, 'canary host')} first`);
      if (strategy.pauseMs > 0) parts.push(`${formatDuration(strategy.pauseMs)} between batches`);
      return `${parts.join(', ')}; ${describeFailures(strategy.maxFailures)}`;
    }
  }
}

function describeProbe(probe: Probe): string {
  return probe.kind === 'http' ? `HTTP ${inlineCode(probe.url)} expecting ${probe.expectStatus}` : `command ${inlineCode(probe.command)}`;
}

function describeHealth(health: HealthCheck | undefined): string {
  if (health === undefined) return 'health';
  return `health (${describeProbe(health.probe)}, ${plural(health.retries, 'retry').replace('retrys', 'retries')} every ${formatDuration(health.intervalMs)})`;
}

function describeMonitor(monitor: MonitorCheck | undefined): string {
  if (monitor === undefined) return 'monitor';
  return `monitor (${formatDuration(monitor.durationMs)} of ${describeProbe(monitor.probe)} every ${formatDuration(monitor.intervalMs)})`;
}

function withCommands(stage: string, commands: readonly string[]): string {
  return commands.length === 0 ? stage : `${stage} (${plural(commands.length, 'command')})`;
}

function describeStages(plan: Plan): string {
  const { commands } = plan;
  return [
    withCommands('check', commands.check),
    'fetch',
    withCommands('pre_deploy', commands.preDeploy),
    'switch',
    withCommands('post_deploy', commands.postDeploy),
    describeHealth(commands.health),
    withCommands('release', commands.release),
    describeMonitor(commands.monitor),
    'done',
  ].join(' → ');
}

/** The answer to a valid plan: what it deploys, where, how, and through which stages. */
export function planSummaryReply(plan: Plan): string {
  const hosts = plan.hosts === undefined ? "the environment's hosts" : `${plan.hosts.map(inlineCode).join(', ')}, in this order`;
  const lines = [
    `**Plan checked:** ${inlineCode(plan.app)} ${inlineCode(plan.version)} to ${inlineCode(plan.environment)}.`,
    '',
    `- **Package:** ${inlineCode(plan.package.url)} (sha256 ${inlineCode(plan.package.sha256.slice(0, 12))}…)`,
    `- **Hosts:** ${hosts}`,
    `- **Rollout:** ${describeStrategy(plan.strategy)}`,
    `- **Stages:** ${describeStages(plan)}`,
  ];
  if (plan.schedule !== undefined) lines.push(`- **Not before:** ${plan.schedule.toISOString().replace(/\.000Z$/, 'Z')}`);
  if (plan.rollbackVersion !== undefined) lines.push(`- **Rollback to:** ${inlineCode(plan.rollbackVersion)}`);
  lines.push(`- Keeps ${plural(plan.keepReleases, 'release')} per host; every command times out after ${formatDuration(plan.commandTimeoutMs)}.`);
  return lines.join('\n');
}

/** The answer to an invalid plan: every problem with its line, column and field, never a stack trace. */
export function planErrorsReply(issues: readonly SourceIssue[]): string {
  return [
    `**The plan in this comment has ${plural(issues.length, 'problem')}:**`,
    '',
    codeBlock(formatIssues(issues)),
    '',
    'Lines and columns count from the top of this comment.',
  ].join('\n');
}
