/** `yardmaster deploy --config <file> [--identity <key>] <plan>` and `yardmaster retry …`. */
import { newReleaseId, retryRelease, runRelease } from '../../deploy/index.ts';
import type { ReleaseResult } from '../../deploy/types.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { DEPLOY_USAGE } from '../command-usage.ts';
import { openCliJournal, recordInServerDatabase, releaseJournalStart, reportJournalFailure } from '../cli-journal.ts';
import { connectFromCli } from '../connect-from-cli.ts';
import { cliName, formatReleaseResult, shellWord } from '../format-result.ts';
import { hostFlags, parseCliArgs } from '../parse-cli-args.ts';
import { prepareRelease } from '../prepare-release.ts';
import { cacheDir, loadResult, type ResultKey, saveResult } from '../result-store.ts';
import { runWithReporter } from './run-with-reporter.ts';

export async function deployCommand(args: readonly string[], io: CliIo, mode: 'deploy' | 'retry'): Promise<number> {
  const parsed = parseCliArgs(mode, args, {
    ...hostFlags,
    force: { type: 'boolean', default: false },
    'work-order': { type: 'string' },
    'ignore-schedule': { type: 'boolean', default: false },
  });
  if (!parsed.ok) return invalid(io, parsed.message);
  const { values, positionals } = parsed;
  const planPath = positionals[0];
  if (values.config === undefined || planPath === undefined || positionals.length > 1)
    return invalid(io, 'deploy needs --config <file> and one plan file');
  const prepared = await prepareRelease(values.config, planPath, io);
  if (!prepared.ok) return invalid(io, prepared.message);
  const { schedule } = prepared.request.plan;
  if (schedule !== undefined && schedule.getTime() > Date.now() && !values['ignore-schedule']) {
    return invalid(io, `the plan is scheduled for ${schedule.toISOString()}: run it then, or pass --ignore-schedule`);
  }
  const ssh = await connectFromCli(
    {
      ...(values.identity ? { identity: values.identity } : {}),
      ...(values.user ? { user: values.user } : {}),
      acceptNewHostKeys: values['accept-new-host-keys'],
    },
    io,
  );
  if (!ssh.ok) return invalid(io, ssh.message);
  const cache = cacheDir(io.env);
  const results = { dir: cache, configPath: values.config, cwd: io.cwd };
  const { plan } = prepared.request;
  const request = {
    ...prepared.request,
    force: values.force,
    breakLock: values['break-lock'],
    signal: io.signal,
    ...(values['work-order'] ? { workOrder: values['work-order'] } : {}),
  };
  const engine = {
    connect: ssh.connect,
    artifactsDir: prepared.artifactsDir,
    cacheDir: cache,
    actor: io.env.USER ?? 'cli',
  };

  const previous = mode === 'retry' ? await loadResult(results, plan.app, plan.environment) : null;
  if (mode === 'retry' && previous?.version !== plan.version) {
    return invalid(
      io,
      `no earlier release of ${plan.app} ${plan.version} to ${plan.environment} to retry (run deploy first)`,
    );
  }
  const releaseId = previous?.releaseId ?? newReleaseId();
  const attempt = previous === null ? 1 : previous.attempt + 1;
  const journal = openCliJournal(io, releaseJournalStart(request, releaseId, attempt));
  const result: ReleaseResult = await runWithReporter(
    io,
    values.json,
    (onEvent) =>
      previous === null
        ? runRelease({ ...request, releaseId }, { ...engine, onEvent })
        : retryRelease(previous, request, { ...engine, onEvent }),
    journal?.sink,
  );
  journal?.end({ kind: 'release', result });
  reportJournalFailure(io, journal);
  // A retry keeps the hosts it did not touch as they were in the earlier result.
  await saveResult(results, previous === null ? result : await mergeRetry(results, result), attempt);
  await recordInServerDatabase(io);
  const retry = `${cliName(io.env)} ${['retry', '--config', values.config, planPath].map(shellWord).join(' ')}`;
  if (!values.json) io.stdout.write(formatReleaseResult(result, retry));
  return result.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
}

async function mergeRetry(results: ResultKey, result: ReleaseResult): Promise<ReleaseResult> {
  const earlier = await loadResult(results, result.app, result.environment);
  if (!earlier) return result;
  const retried = new Set(result.hosts.map((host) => host.host));
  const kept = earlier.hosts
    .filter((host) => !retried.has(host.host))
    .map((host) => ({ ...host, previousVersion: null, durationMs: 0 }));
  return { ...result, hosts: [...kept, ...result.hosts] };
}

function invalid(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n\n${DEPLOY_USAGE}\n`);
  return EXIT_INVALID;
}
