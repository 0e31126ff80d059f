/**
 * The App's start before the database opens: the private key, the /metrics token, Probot and the operator policy.
 * Any of them being wrong refuses the start with nothing opened yet (a bad policy file with its errors by line).
 */
import { type Runtime, openRuntime } from '../runtime/index.ts';
import { parseMetricsToken } from '../metrics/index.ts';
import { startPolicy } from '../policy/index.ts';
import type { AppConfig, AppContext, StartedPolicy, StartOptions, StepResult } from './app-parts.ts';
import { createAppProbot } from './create-app-probot.ts';
import { loadPrivateKey } from './private-key.ts';

/** The context every later step reads, and the policy (started: its SIGHUP listener is stopped with the App). */
export interface PreparedApp {
  context: AppContext;
  policy: StartedPolicy;
}

export async function prepareApp(
  base: Pick<AppContext, 'runtimeConfig' | 'env' | 'log'> & { config: AppConfig },
  options: StartOptions,
): Promise<StepResult<PreparedApp>> {
  const { config, runtimeConfig, env, log } = base;
  const key = await loadPrivateKey(config.privateKey);
  if (!key.ok) return { ok: false, problems: [key.problem] };
  const metricsToken = parseMetricsToken(env);
  if (!metricsToken.ok) return { ok: false, problems: [metricsToken.problem] };
  const probot = createAppProbot({
    appId: config.appId,
    privateKey: key.pem,
    webhookSecret: config.webhookSecret,
    githubApiUrl: config.githubApiUrl,
    log,
    ...(options.Octokit === undefined ? {} : { Octokit: options.Octokit }),
  });
  const publicUrl = runtimeConfig.publicUrl ?? `http://localhost:${config.port}`;
  // Before the database opens: a bad policy file refuses the start, with its errors by line.
  const policy = await startPolicy(runtimeConfig.policyFile, { artifactsDir: runtimeConfig.artifactsDir, log });
  if (!policy.ok) return { ok: false, problems: policy.problems };
  const context = { ...base, probot, publicUrl, metricsToken: metricsToken.token };
  return { ok: true, value: { context, policy } };
}

/** Opens the database, migrations and queue; a failure stops the policy's SIGHUP listener before it is thrown. */
export async function openAppRuntime(context: AppContext, policy: StartedPolicy): Promise<Runtime> {
  return openRuntime(context.runtimeConfig, context.log, context.env).catch((error: unknown) => {
    policy.stop();
    throw error;
  });
}
