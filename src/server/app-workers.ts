/**
 * The App's in-process workers, wired to report on GitHub and Slack and to count their events in the metrics; and
 * the notifications that follow orders (Slack's client when Slack runs).
 */
import { createGitHubConfigLoader } from '../github/index.ts';
import { startNotifications } from '../notify/index.ts';
import { type PolicySource, storeSecretSource } from '../policy/index.ts';
import { type Runtime, startProcessWorkers, withEventSink } from '../runtime/index.ts';
import { withSlackReport } from '../slack/index.ts';
import type { AppContext, AppMetrics, AppNotifications, AppSlack, AppWorkers, StepResult } from './app-parts.ts';
import { githubWorkerWiring } from './github-worker-wiring.ts';

export async function startAppWorkers(
  context: AppContext,
  parts: { runtime: Runtime; policy: PolicySource; slack: AppSlack | undefined; metrics: AppMetrics },
): Promise<StepResult<AppWorkers>> {
  const { probot, publicUrl, env, log } = context;
  const { runtime, slack, metrics } = parts;
  const workers = await startProcessWorkers(
    runtime,
    env,
    log,
    parts.policy,
    withEventSink(
      withSlackReport(githubWorkerWiring(probot, runtime.database, publicUrl, log), slack?.report),
      (event) => {
        metrics.onWorkerEvent(event);
      },
    ),
  );
  if (!workers.ok) return { ok: false, problems: [workers.problem] };
  return { ok: true, value: workers };
}

export async function startAppNotifications(
  context: AppContext,
  runtime: Runtime,
  slack: AppSlack | undefined,
): Promise<AppNotifications> {
  const { probot, publicUrl, env, log, runtimeConfig } = context;
  const githubFor = (installationId: number) => probot.auth(installationId);
  return startNotifications({
    db: runtime.database.db,
    queue: runtime.queue,
    loadConfig: createGitHubConfigLoader(githubFor),
    publicUrl,
    env,
    secrets: storeSecretSource(runtime.database.db, runtimeConfig.secretsKey),
    log,
    leaseMs: runtimeConfig.leaseMs,
    ...(slack === undefined ? {} : { slack: slack.client }),
  });
}
