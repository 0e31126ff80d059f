/**
 * How the App stops. A running App: HTTP server (requests in flight finish), dashboard, webhook inbox (handlers
 * running finish; deliveries not yet taken wait, stored, for the next start), Slack, lanes, workers, notifications,
 * the runtime once the workers' reporting is idle (queue, database), the policy. A start refused halfway stops what
 * it had started, in its own order.
 */
import type { RunningApp, StartedParts, StartResult } from './app-parts.ts';

export async function stopApp(app: RunningApp): Promise<void> {
  await app.server.close();
  await app.dashboard.stop();
  await app.yardmaster.close();
  await app.slack?.stop();
  await app.lanes?.server.close();
  await app.workers.workers.stop();
  await app.notifications.stop();
  await app.runtime.close({ afterQueue: app.workers.idle });
  app.policy.stop();
}

/** Stops what a refused start had started on the runtime (the runtime itself stays open). */
export async function stopStartedServices(parts: StartedParts): Promise<void> {
  await parts.dashboard?.stop();
  await parts.yardmaster?.close();
  await parts.lanes?.server.close();
  await parts.notifications?.stop();
  await parts.slack?.stop();
  await parts.workers?.workers.stop();
}

/** Closes the runtime (queue, database) and stops the policy's SIGHUP listener. */
export async function closeRuntime(parts: StartedParts): Promise<void> {
  await parts.runtime.close();
  parts.policy.stop();
}

/** A start refused by `problems`: everything started so far stops, then the refusal is returned. */
export async function refuseStart(parts: StartedParts, problems: string[]): Promise<StartResult> {
  await stopStartedServices(parts);
  await closeRuntime(parts);
  return { ok: false, problems };
}
