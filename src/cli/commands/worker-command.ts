/**
 * `yardmaster worker`: release workers without the HTTP server, for running N of them beside the server. Needs a
 * real PostgreSQL (DATABASE_URL): the embedded PGlite belongs to one process, the server's. Runs until SIGTERM or
 * SIGINT, then finishes running releases' current step bounds, stops the queue and closes the database.
 */
import { startPolicy, type PolicySource } from '../../policy/index.ts';
import { pino } from 'pino';
import {
  openRuntime,
  type Runtime,
  parseRuntimeEnv,
  startProcessWorkers,
  type GitHubWorkerWiring,
} from '../../runtime/index.ts';
import { createAppProbot, parseServerEnv, githubWorkerWiring, loadPrivateKey } from '../../server/index.ts';
import { createGitHubConfigLoader } from '../../github/index.ts';
import { githubWebUrl } from '../../lib/github-web-url.ts';
import { parseSlackBotEnv, withSlackReport, workerSlackReporter } from '../../slack/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { WORKER_USAGE } from '../command-usage.ts';
import { parseCliArgs } from '../parse-cli-args.ts';
import { whenAborted } from '../../lib/when-aborted.ts';

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * With App credentials (APP_ID, …) the workers report to GitHub, and to Slack with SLACK_BOT_TOKEN; without, they only
 * log. A string is a problem.
 */
async function githubWiring(
  env: Readonly<Record<string, string | undefined>>,
  runtime: Runtime,
  log: pino.Logger,
  policy: PolicySource,
): Promise<GitHubWorkerWiring | string> {
  const server = parseServerEnv(env);
  if (!server.ok) return `invalid environment:\n  ${server.problems.join('\n  ')}`;
  if (server.config.mode !== 'app') return {};
  const key = await loadPrivateKey(server.config.privateKey);
  if (!key.ok) return key.problem;
  const probot = createAppProbot({
    appId: server.config.appId,
    privateKey: key.pem,
    webhookSecret: server.config.webhookSecret,
    githubApiUrl: server.config.githubApiUrl,
    log,
  });
  const publicUrl = runtime.config.publicUrl ?? 'http://localhost:3000';
  const wiring = githubWorkerWiring(probot, runtime.database, publicUrl, log);
  const slack = parseSlackBotEnv(env);
  if (!slack.ok) return `invalid environment:\n  ${slack.problems.join('\n  ')}`;
  if (slack.bot === undefined) return wiring;
  const githubFor = (installationId: number) => probot.auth(installationId);
  const service = { db: runtime.database.db, queue: runtime.queue, policy };
  return withSlackReport(
    wiring,
    await workerSlackReporter(slack.bot, {
      service,
      githubFor,
      loadConfig: createGitHubConfigLoader(githubFor),
      publicUrl,
      githubWebUrl: githubWebUrl(server.config.githubApiUrl),
      log,
    }),
  );
}

/** Runs `yardmaster worker`. Exit 0 after a graceful stop, 2 for a bad setting, 1 when it cannot start. */
export async function workerCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('worker', args, { concurrency: { type: 'string' } });
  if (!parsed.ok || parsed.positionals.length > 0) {
    io.stderr.write(
      `${parsed.ok ? `unexpected argument ${parsed.positionals[0] ?? ''}` : parsed.message}\n\n${WORKER_USAGE}\n`,
    );
    return EXIT_INVALID;
  }
  const env =
    parsed.values.concurrency === undefined ? io.env : { ...io.env, YARDMASTER_WORKERS: parsed.values.concurrency };
  const settings = parseRuntimeEnv(env, io.cwd);
  if (!settings.ok) {
    io.stderr.write(`invalid environment:\n  ${settings.problems.join('\n  ')}\n`);
    return EXIT_INVALID;
  }
  if (settings.config.database.kind !== 'postgres') {
    io.stderr.write(
      'yardmaster worker needs DATABASE_URL (PostgreSQL): the embedded database belongs to one process, the server, which runs its own workers (YARDMASTER_WORKERS)\n',
    );
    return EXIT_INVALID;
  }
  if (settings.config.workers === 0) {
    io.stderr.write('yardmaster worker: YARDMASTER_WORKERS (or --concurrency) must be at least 1\n');
    return EXIT_INVALID;
  }
  const level = io.env.LOG_LEVEL ?? 'info';
  const log = pino({ name: 'yardmaster-worker', level: LOG_LEVELS.has(level) ? level : 'info' });
  const policy = await startPolicy(settings.config.policyFile, { artifactsDir: settings.config.artifactsDir, log });
  if (!policy.ok) {
    io.stderr.write(`${policy.problems.join('\n  ')}\n`);
    return EXIT_INVALID;
  }
  let runtime: Runtime;
  try {
    runtime = await openRuntime(settings.config, log, io.env);
  } catch (error) {
    policy.stop();
    io.stderr.write(`cannot open the database: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
  const github = await githubWiring(env, runtime, log, policy.source);
  if (typeof github === 'string') {
    policy.stop();
    await runtime.close();
    io.stderr.write(`${github}\n`);
    return EXIT_INVALID;
  }
  if (github.configSource === undefined && settings.config.configFile === undefined) {
    policy.stop();
    await runtime.close();
    io.stderr.write(
      'yardmaster worker needs a repo config source: the App credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET) to read .github/yardmaster.yml, or YARDMASTER_CONFIG=<file>\n',
    );
    return EXIT_INVALID;
  }
  const started = await startProcessWorkers(runtime, env, log, policy.source, github);
  if (!started.ok) {
    policy.stop();
    await runtime.close();
    io.stderr.write(`${started.problem}\n`);
    return EXIT_INVALID;
  }
  log.info({}, 'worker ready');
  await whenAborted(io.signal);
  log.info({}, 'shutting down');
  await started.workers.stop();
  await runtime.close({ afterQueue: started.idle });
  policy.stop();
  log.info({}, 'stopped');
  return EXIT_OK;
}
