/**
 * The files `bench:fanout` hands the CLI: a repo config naming N loopback sshd hosts (user and host key pinned, so
 * no prompt and no `--accept-new-host-keys`), and the plans for the stream and the pull release. The plan is the
 * "realistic small plan": one pre_deploy, one post_deploy and a command health check, all hosts at once.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostEntry } from '../src/config/types.ts';

export const BENCH_APP = 'bench';
export const BENCH_ENVIRONMENT = 'fanout';

/** Writes `yardmaster-<n>.yml` into `dir`: every host deploys into its own deploy dir. Returns its path. */
export async function writeBenchConfig(dir: string, entries: readonly HostEntry[]): Promise<string> {
  const hosts = entries.map(
    (entry) =>
      `    - { name: ${entry.name}, address: ${entry.address}, port: ${entry.port}, user: ${entry.user ?? ''}, host_key: "${entry.hostKey ?? ''}", deploy_to: ${entry.deployTo ?? ''} }`,
  );
  const path = join(dir, `yardmaster-${entries.length}.yml`);
  await writeFile(
    path,
    [
      'apps:',
      `  ${BENCH_APP}:`,
      `    deploy_to: ${join(dir, 'unused')}`,
      '    environments:',
      `      ${BENCH_ENVIRONMENT}: { hosts: [fleet] }`,
      'hosts:',
      '  fleet:',
      ...hosts,
      '',
    ].join('\n'),
  );
  return path;
}

export interface BenchPlanOptions {
  version: string;
  /** The package: a file path for stream, an http:// URL for pull. */
  url: string;
  sha256: string;
  transfer: 'stream' | 'pull';
  /** All hosts at once. */
  concurrency: number;
}

/** Writes `plan-<transfer>-<concurrency>.yml` into `dir`; returns its path. */
export async function writeBenchPlan(dir: string, options: BenchPlanOptions): Promise<string> {
  const path = join(dir, `plan-${options.transfer}-${options.concurrency}.yml`);
  await writeFile(
    path,
    [
      `app: ${BENCH_APP}`,
      `environment: ${BENCH_ENVIRONMENT}`,
      `version: ${options.version}`,
      'package:',
      `  url: ${options.url}`,
      `  sha256: ${options.sha256}`,
      `transfer: ${options.transfer}`,
      `strategy: { mode: parallel, concurrency: ${options.concurrency}, max_failures: 0 }`,
      'commands:',
      '  pre_deploy:',
      "    - 'test -f VERSION && ls -1 | wc -l'",
      '  post_deploy:',
      `    - 'mkdir -p "$YM_SHARED_DIR/tmp" && touch "$YM_SHARED_DIR/tmp/restart.txt"'`,
      '  health:',
      `    command: 'grep -q . "$YM_RELEASE_DIR/VERSION"'`,
      '    retries: 1',
      '    interval: 1s',
      'keep_releases: 5',
      'command_timeout: 2m',
      '',
    ].join('\n'),
  );
  return path;
}
