/**
 * The Probot app: every event Yardmaster acts on goes into the webhook inbox (stored, answered), whose handlers in
 * src/github run after the answer. Wiring only.
 */
import type { ApplicationFunction } from 'probot';
import {
  type AppDeps,
  createDeliveryInbox,
  type DeliveryInbox,
  type DeliveryInboxOptions,
  ROUTED_EVENTS,
} from './github/index.ts';

export type { AppDeps } from './github/index.ts';

/** Yardmaster's GitHub App: the Probot app function and its inbox's life. */
export interface YardmasterApp {
  /** The Probot app function: subscribes to the events and handles deliveries a stopped process left behind. */
  load: ApplicationFunction;
  /** Resolves once every delivery received so far is handled (tests, shutdown). */
  idle(): Promise<void>;
  /** Takes no more deliveries into handling and waits (bounded) for those running; the rest wait, stored, for the next start. */
  close(waitMs?: number): Promise<void>;
}

/** Yardmaster's webhook handling, over the work-order service in `deps`. */
export function createYardmasterApp(deps: AppDeps, options: Pick<DeliveryInboxOptions, 'concurrency' | 'onAnswered'> = {}): YardmasterApp {
  let inbox: DeliveryInbox | undefined;
  return {
    load: async (app) => {
      const loaded = createDeliveryInbox({ deps, githubFor: (installationId) => app.auth(installationId), log: app.log, ...options });
      inbox = loaded;
      app.on([...ROUTED_EVENTS], async (context) => {
        await loaded.accept({ id: context.id, name: context.name, payload: context.payload });
      });
      await loaded.resume();
    },
    idle: () => inbox?.idle() ?? Promise.resolve(),
    close: (waitMs) => inbox?.close(waitMs) ?? Promise.resolve(),
  };
}
