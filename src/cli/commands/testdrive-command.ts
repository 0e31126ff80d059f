/**
 * `yardmaster testdrive`: releases a bundled sample app to three local hosts, shows a failed health check
 * rolling back, and says what to try next.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectEnvironment, newReleaseId, runRelease } from '../../deploy/index.ts';
import type { ReleaseResult } from '../../deploy/types.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { TESTDRIVE_USAGE } from '../command-usage.ts';
import { openCliJournal, recordInServerDatabase, releaseJournalStart, reportJournalFailure } from '../cli-journal.ts';
import { formatInventory, formatReleaseResult, shellWord } from '../format-result.ts';
import { parseCliArgs } from '../parse-cli-args.ts';
import { prepareRelease } from '../prepare-release.ts';
import { cacheDir, saveResult } from '../result-store.ts';
import { buildWorkspace, configYaml, planYaml, type SamplePackage } from '../testdrive/sample-workspace.ts';
import { testdriveHosts, type TestdriveHosts } from '../testdrive/testdrive-hosts.ts';
import { runWithReporter } from './run-with-reporter.ts';

export async function testdriveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('testdrive', args, {
    local: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (!parsed.ok || parsed.positionals.length > 0) {
    io.stderr.write(`${parsed.ok ? 'testdrive takes no arguments' : parsed.message}\n\n${TESTDRIVE_USAGE}\n`);
    return EXIT_INVALID;
  }
  const say = (text: string): void => {
    if (!parsed.values.json) io.stdout.write(`${text}\n`);
  };
  const dir = await mkdtemp(join(tmpdir(), 'yardmaster-testdrive-'));
  await chmod(dir, 0o755);
  const fleet = await testdriveHosts(dir, parsed.values.local, (text) => {
    say(text);
  });
  try {
    return await drive(dir, fleet, io, parsed.values.json, say);
  } finally {
    await fleet.stop();
  }
}

async function drive(
  dir: string,
  fleet: TestdriveHosts,
  io: CliIo,
  json: boolean,
  say: (text: string) => void,
): Promise<number> {
  const workspace = await buildWorkspace(dir, fleet.hosts[2]?.name ?? 'host-3');
  const hostsDir = join(dir, 'hosts');
  // The drive goes through the same files and loaders a user's release does: a config and a plan per version.
  const driveConfig = join(dir, 'testdrive-hosts.yml');
  await writeFile(driveConfig, configYaml(fleet.hosts, hostsDir));
  // The config the next steps name: the same deploy dirs through the local executor, so that they work after the
  // testdrive's own hosts are gone. Results are saved under it, where `retry` looks for them.
  const configFile = join(dir, 'yardmaster.yml');
  await writeFile(
    configFile,
    configYaml(
      fleet.hosts.map((entry) => ({ ...entry, executor: 'local' as const })),
      hostsDir,
    ),
  );
  const results = { dir: cacheDir(io.env), configPath: configFile, cwd: io.cwd };
  const yardmaster = (...words: string[]): string => `npx yardmaster ${words.map(shellWord).join(' ')}`;
  say(
    `Yardmaster testdrive: a sample app, three hosts (${fleet.kind === 'sshd' ? 'OpenSSH servers on 127.0.0.1' : 'this machine, local executor'}), workspace ${dir}\n`,
  );

  const release = async (pkg: SamplePackage, story: string): Promise<ReleaseResult | null> => {
    say(`▶ ${story}`);
    const planFile = join(dir, `plan-${pkg.version}.yml`);
    await writeFile(planFile, planYaml(pkg));
    const prepared = await prepareRelease(driveConfig, planFile, io);
    if (!prepared.ok) {
      io.stderr.write(`${prepared.message}\n`);
      return null;
    }
    const releaseId = newReleaseId();
    const journal = openCliJournal(io, releaseJournalStart(prepared.request, releaseId, 1));
    const result = await runWithReporter(
      io,
      json,
      (onEvent) =>
        runRelease(
          { ...prepared.request, releaseId, signal: io.signal },
          {
            connect: fleet.connect,
            artifactsDir: prepared.artifactsDir,
            cacheDir: join(dir, 'cache'),
            onEvent,
            actor: 'testdrive',
          },
        ),
      journal?.sink,
    );
    journal?.end({ kind: 'release', result });
    reportJournalFailure(io, journal);
    await saveResult(results, result, 1);
    say(formatReleaseResult(result, yardmaster('retry', '--config', configFile, planFile)));
    return result;
  };

  const [v1, v2, v3] = workspace.packages;
  if (!v1 || !v2 || !v3) return EXIT_FAILED;
  const first = await release(v1, `release ${v1.version}: a canary host first, then the rest in batches of 50%`);
  const second =
    first?.status === 'succeeded' ? await release(v2, `release ${v2.version}: the same plan, a new version`) : null;
  const broken =
    second?.status === 'succeeded'
      ? await release(
          v3,
          `release ${v3.version}: its health check fails on ${fleet.hosts[2]?.name ?? 'the third host'}, so every host it touched goes back to ${v2.version}`,
        )
      : null;
  const hosts = fleet.hosts.map((entry) => ({ entry, deployTo: entry.deployTo ?? join(hostsDir, entry.name) }));
  const inventory = await inspectEnvironment(hosts, fleet.connect, io.signal);
  say(formatInventory('sample', 'local', inventory));

  const behaved =
    broken !== null && broken.status === 'failed' && inventory.every((host) => host.ok && host.live === v2.version);
  const plan = (version: string): string => join(dir, `plan-${version}.yml`);
  say(
    [
      behaved
        ? `The failed release rolled back: every host is on ${v2.version} again.`
        : 'The testdrive did not go as expected; see the output above.',
      '',
      'What to try next, in this directory (this config reaches the same deploy dirs through the local executor):',
      `  ${yardmaster('validate', '--config', configFile, plan(v3.version))}`,
      `  ${yardmaster('releases', '--config', configFile, '--app', 'sample', '--env', 'local')}`,
      `  ${yardmaster('retry', '--config', configFile, plan(v3.version))}     (${v3.version} is still unhealthy on ${fleet.hosts[2]?.name ?? 'the third host'}: it rolls back again)`,
      `  ${yardmaster('deploy', '--config', configFile, plan(v2.version))}     (already live: a no-op; add --force)`,
      `  ${yardmaster('rollback', '--config', configFile, '--app', 'sample', '--env', 'local', '--to', v1.version)}`,
      `  ls -la ${shellWord(join(hostsDir, fleet.hosts[0]?.name ?? ''))}     (releases/, current ->, .yardmaster/releases.log)`,
      `  ${yardmaster('dashboard')}     (these releases in your browser: live versions per host, each stage and its output, audit, statistics)`,
      'Then describe your own hosts in .github/yardmaster.yml (see README.md and src/config/README.md).',
    ].join('\n'),
  );
  await recordInServerDatabase(io);
  return behaved ? EXIT_OK : EXIT_FAILED;
}
