/**
 * Process entry of the server: validate the environment, start the HTTP server (the App's webhooks, `/healthz`,
 * `/readyz`, with in-process release workers; or Probot's setup flow when there is no APP_ID yet), stop gracefully
 * on SIGTERM/SIGINT. Wiring only.
 */
import { parseRuntimeEnv } from './runtime/index.ts';
import { parseServerEnv, createLogger, stopOnSignals, startFromConfig } from './server/index.ts';

const parsed = parseServerEnv(process.env);
const runtime = parseRuntimeEnv(process.env);
const problems = [...(parsed.ok ? [] : parsed.problems), ...(runtime.ok ? [] : runtime.problems)];
if (!parsed.ok || !runtime.ok) {
  process.stderr.write(`yardmaster: invalid environment:\n  ${problems.join('\n  ')}\n`);
  process.exit(2);
}
const log = createLogger(parsed.config.logLevel);
try {
  const started = await startFromConfig(parsed.config, runtime.config, process.env, log);
  if (!started.ok) {
    process.stderr.write(`yardmaster: cannot start:\n  ${started.problems.join('\n  ')}\n`);
    process.exit(2);
  }
  stopOnSignals(() => started.stop(), log);
} catch (error) {
  log.fatal({ err: error }, 'start failed');
  process.exit(1);
}
