/**
 * Process entry of the server: validate the environment, start the HTTP server (the App's webhooks, `/healthz`,
 * `/readyz`, with in-process release workers; or Probot's setup flow when there is no APP_ID yet), stop gracefully
 * on SIGTERM/SIGINT. Wiring only.
 * The start hooks first, as bin/yardmaster.js installs them for the CLI (zod's English locale only, drizzle-orm's
 * modules without reparsing its package.json); the server's modules are imported after them (a static import would
 * be resolved before the hooks exist).
 */
import { installStartHooks } from '../bin/start-hooks.js';

installStartHooks();
const { parseRuntimeEnv } = await import('./runtime/index.ts');
const { parseServerEnv, createLogger, stopOnSignals, startFromConfig } = await import('./server/index.ts');

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
