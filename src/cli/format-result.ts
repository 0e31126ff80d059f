/** Human summaries of release, rollback and inventory results. */
import type { HostInventoryReport, RollbackResult } from '../deploy/index.ts';
import type { ReleaseResult } from '../deploy/types.ts';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A word as a shell reads it back: as it is when it is plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * How the user reaches the command: `npx yardmaster` when npm ran it (npx sets npm_command), else `yardmaster`.
 * Suggested commands start with it, so that they work when pasted.
 */
export function cliName(env: Readonly<Record<string, string | undefined>>): string {
  return env.npm_command === 'exec' ? 'npx yardmaster' : 'yardmaster';
}

/**
 * The summary of a release. `retryCommand` is the command that retries its failed hosts, printed when some failed
 * (a placeholder when the caller does not know the files).
 */
export function formatReleaseResult(result: ReleaseResult, retryCommand?: string): string {
  const lines: string[] = [];
  const counts = new Map<string, number>();
  for (const host of result.hosts) counts.set(host.outcome, (counts.get(host.outcome) ?? 0) + 1);
  const tally = [...counts].map(([outcome, count]) => `${count} ${outcome.replace('_', ' ')}`).join(', ');
  const headline = {
    succeeded: `released ${result.app} ${result.version} to ${result.environment}`,
    partial: `released ${result.app} ${result.version} to ${result.environment} with failed hosts (within max_failures)`,
    failed: `release of ${result.app} ${result.version} to ${result.environment} FAILED`,
    aborted: `release of ${result.app} ${result.version} to ${result.environment} ABORTED`,
  }[result.status];
  lines.push(`${headline} in ${seconds(result.durationMs)}${tally ? `: ${tally}` : ''}`);
  if (result.error) lines.push(`  ${result.error}`);
  const failed = result.failedHost;
  if (failed) {
    const code = failed.exitCode === null ? '' : `, exit code ${failed.exitCode}`;
    lines.push(`  failed host: ${failed.host}, stage ${failed.stage}${code}: ${failed.message}`);
    if (failed.lastLines.length > 0) {
      lines.push('  last output:');
      for (const line of failed.lastLines.slice(-10)) lines.push(`    ${line}`);
    }
  }
  for (const host of result.hosts) {
    if (host.rolledBackTo !== undefined) {
      const to = host.rolledBackTo ?? 'nothing (current removed)';
      lines.push(`  ${host.host}: rolled back to ${to}${host.rollbackError ? `, but: ${host.rollbackError}` : ''}`);
    }
  }
  if (result.status === 'failed' || result.status === 'partial') {
    lines.push(`  retry the failed hosts with: ${retryCommand ?? 'yardmaster retry --config <file> <plan>'}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatRollbackResult(result: RollbackResult): string {
  const failed = result.hosts.filter((host) => !host.ok).length;
  const verdict =
    failed === 0
      ? 'done'
      : failed === result.hosts.length
        ? 'FAILED on every host'
        : `FAILED on ${failed} of ${result.hosts.length} hosts`;
  const lines = [`rollback of ${result.app} in ${result.environment}: ${verdict}`];
  for (const host of result.hosts) {
    lines.push(`  ${host.ok ? '✔' : '✘'} ${host.host}: ${host.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatInventory(app: string, environment: string, hosts: readonly HostInventoryReport[]): string {
  const lines = [`${app} in ${environment}:`];
  const width = Math.max(4, ...hosts.map((host) => host.host.length));
  lines.push(`  ${'HOST'.padEnd(width)}  ${'LIVE'.padEnd(16)}  ${'LAST RELEASE'.padEnd(40)}  RELEASES ON DISK`);
  for (const host of hosts) {
    if (!host.ok) {
      lines.push(`  ${host.host.padEnd(width)}  unreachable: ${host.error}`);
      continue;
    }
    const last = host.log.at(-1);
    const lastText = last ? `${last.version} ${last.result} ${last.time.replace('T', ' ').slice(0, 19)}` : '-';
    const lock = host.lockOwner ? `  (locked: ${host.lockOwner})` : '';
    lines.push(
      `  ${host.host.padEnd(width)}  ${(host.live ?? '-').padEnd(16)}  ${lastText.padEnd(40)}  ${host.releases.join(' ') || '-'}${lock}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
