/**
 * Notifications in the server process: the fan-out from the audit log to `notify.deliver` jobs, and the workers that
 * deliver them (e-mail over SMTP_URL, signed webhooks, Slack). Wiring only.
 */
import type { Db } from '../db/types.ts';
import type { ConfigLoader } from '../workorders/service/index.ts';
import { createNotifyDeliverer, type NotifyDeliveryOptions } from './deliver-notification.ts';
import { startNotifyDispatcher, type NotifyDispatcher, type NotifySender } from './notify-dispatcher.ts';
import { NOTIFY_QUEUE, type NotifyJobData } from './notify-queue.ts';

/** What notifications need of the queue (the runtime's queue is one): sending deliveries and working them. */
export interface NotifyQueue extends NotifySender {
  work(
    name: typeof NOTIFY_QUEUE,
    handler: (job: { data: NotifyJobData; retryCount: number }) => Promise<void>,
    options: { concurrency: number; pollingIntervalSeconds: number },
  ): Promise<string>;
}

export interface NotificationsOptions {
  db: Db;
  queue: NotifyQueue;
  loadConfig: ConfigLoader;
  publicUrl: string;
  env: NotifyDeliveryOptions['env'];
  /** Webhook signing keys: the secret store. */
  secrets: NotifyDeliveryOptions['secrets'];
  slack?: NotifyDeliveryOptions['slack'];
  log: { warn(fields: object, message: string): void; debug?(fields: object, message: string): void };
  /** Between fan-out passes (default 1000 ms). */
  intervalMs?: number;
  /** The lease of the periodic fan-out pass on one server (default 30 s). */
  leaseMs?: number;
  /** Seconds between queue polls (default 1). */
  pollingIntervalSeconds?: number;
}

export interface Notifications {
  /** Looks for new key events now (after a change this process made). */
  kick(): void;
  /** Fans out everything written so far (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNotifications(options: NotificationsOptions): Promise<Notifications> {
  const deliver = createNotifyDeliverer({
    env: options.env,
    secrets: options.secrets,
    log: options.log,
    ...(options.slack === undefined ? {} : { slack: options.slack }),
  });
  await options.queue.work(
    NOTIFY_QUEUE,
    async (job) => {
      try {
        await deliver(job.data);
      } catch (error) {
        options.log.warn(
          {
            err: error,
            event: 'event' in job.data ? job.data.event.id : job.data.notice.id,
            target: job.data.target.kind,
            attempt: job.retryCount + 1,
          },
          'notification not delivered; retried later',
        );
        throw error;
      }
    },
    { concurrency: 4, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 },
  );
  const dispatcher: NotifyDispatcher = startNotifyDispatcher({
    db: options.db,
    queue: options.queue,
    loadConfig: options.loadConfig,
    publicUrl: options.publicUrl,
    log: options.log,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  return {
    kick: () => {
      dispatcher.kick();
    },
    drain: () => dispatcher.drain(),
    async stop() {
      await dispatcher.stop();
      deliver.close();
    },
  };
}
