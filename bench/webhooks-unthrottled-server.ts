/**
 * `bench:webhooks` only: the Yardmaster server exactly as `src/main.ts` starts it, except that Octokit's request
 * throttling is off. Probot paces content-creating requests per installation (comments 3 s apart, GitHub's
 * secondary rate limits); a handler that awaits its reply is held by that pacing. This shows what the server does
 * when GitHub is not the limit. Never run it against GitHub.
 */
import { ProbotOctokit } from 'probot';
import { propertyOf } from '../src/lib/trust-boundaries.ts';
import { parseRuntimeEnv } from '../src/runtime/runtime-env.ts';
import { parseServerEnv } from '../src/server/env.ts';
import { createLogger } from '../src/server/logger.ts';
import { stopOnSignals } from '../src/server/shutdown.ts';
import { startFromConfig } from '../src/server/start-from-config.ts';

const server = parseServerEnv(process.env);
const runtime = parseRuntimeEnv(process.env);
if (!server.ok || !runtime.ok) throw new Error('invalid environment');
const log = createLogger(server.config.logLevel);
const objectOrEmpty = (value: unknown): object => (typeof value === 'object' && value !== null ? value : {});
const Unthrottled = ProbotOctokit.defaults((options: ConstructorParameters<typeof ProbotOctokit>[0]) => ({
  ...options,
  throttle: { ...objectOrEmpty(propertyOf(options, 'throttle')), enabled: false },
}));
const started = await startFromConfig(server.config, runtime.config, process.env, log, { Octokit: Unthrottled });
if (!started.ok) throw new Error(started.problems.join('; '));
stopOnSignals(() => started.stop(), log);
