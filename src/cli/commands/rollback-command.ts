/** `yardmaster rollback --config <file> --app A --env E [--to V]`. */
import { readSecretEnv } from '../../config/index.ts';
import { newReleaseId, rollbackEnvironment } from '../../deploy/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { openCliJournal, recordInServerDatabase, reportJournalFailure } from '../cli-journal.ts';
import { ROLLBACK_USAGE } from '../command-usage.ts';
import { formatRollbackResult } from '../format-result.ts';
import { hostFlags, parseCliArgs } from '../parse-cli-args.ts';
import { environmentSetup } from './environment-command.ts';
import { runWithReporter } from './run-with-reporter.ts';

const VERSION = /^[A-Za-z0-9._-]{1,64}$/;

export async function rollbackCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('rollback', args, {
    ...hostFlags,
    app: { type: 'string' },
    env: { type: 'string' },
    to: { type: 'string' },
  });
  if (!parsed.ok || parsed.positionals.length > 0)
    return invalid(io, parsed.ok ? 'unexpected arguments' : parsed.message);
  const { values } = parsed;
  if (values.to !== undefined && (!VERSION.test(values.to) || values.to === '.' || values.to === '..')) {
    return invalid(io, `--to: not a version: ${values.to} (letters, digits, . _ -, at most 64)`);
  }
  const setup = await environmentSetup(values, io);
  if (!setup.ok) return invalid(io, setup.message);
  const secrets = readSecretEnv(setup.targets.environment, io.env);
  if (!secrets.ok) return invalid(io, `secret_env not set in this environment: ${secrets.missing.join(', ')}`);
  const releaseId = newReleaseId();
  const journal = openCliJournal(io, {
    kind: 'rollback',
    releaseId,
    attempt: 1,
    app: setup.app,
    environment: setup.environment,
    version: values.to ?? 'previous',
    production: setup.targets.environment.production,
    deployTo: setup.targets.hosts[0]?.deployTo ?? '/',
    hosts: setup.targets.hosts.map((host) => host.entry.name),
  });
  const result = await runWithReporter(
    io,
    values.json,
    (onEvent) =>
      rollbackEnvironment(
        {
          app: setup.app,
          environment: setup.environment,
          environmentConfig: setup.targets.environment,
          hosts: setup.targets.hosts,
          secrets: secrets.values,
          commandTimeoutMs: 10 * 60_000,
          breakLock: values['break-lock'],
          signal: io.signal,
          releaseId,
          // Run by the operator against hosts they answer for: the hooks each release recorded on the host.
          hooks: { from: 'host' },
          ...(values.to === undefined ? {} : { to: values.to }),
        },
        { connect: setup.connect, onEvent, actor: io.env.USER ?? 'cli' },
      ),
    journal?.sink,
  );
  journal?.end({ kind: 'rollback', result });
  reportJournalFailure(io, journal);
  io.stdout.write(
    values.json ? `${JSON.stringify({ type: 'rollback.result', result })}\n` : formatRollbackResult(result),
  );
  await recordInServerDatabase(io);
  return result.ok ? EXIT_OK : EXIT_FAILED;
}

function invalid(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n\n${ROLLBACK_USAGE}\n`);
  return EXIT_INVALID;
}
