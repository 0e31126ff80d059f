/**
 * The `notify.deliver` job handler: one attempt to tell one subscriber of one key event. A throw fails the attempt
 * and pg-boss retries it later with a growing delay. A subscriber that cannot be served as configured (no SMTP
 * server, a webhook's key missing from the secret store, Slack off) is logged and dropped, not retried.
 */
import { describeSecretReadFailure, type SecretSource } from '../policy/index.ts';
import { createEmailSender, type EmailSender } from './email-sender.ts';
import { callLine, eventSubject } from './event-text.ts';
import type { NotifyJobData } from './notify-queue.ts';
import { sendWebhook } from './webhook-sender.ts';

export interface NotifyDeliveryOptions {
  /** The server's environment: SMTP_URL and SMTP_FROM. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Where webhook signing keys come from: the secret store, under the event's repository and environment (the
   * environment whose `notify` names the webhook). Never the server's environment.
   */
  secrets: SecretSource;
  /** Posts to a Slack channel (Bolt's client), when Slack is on. */
  slack?: { chat: { postMessage(args: { channel: string; text: string }): Promise<{ ok?: boolean; error?: string }> } };
  log: { warn(fields: object, message: string): void };
}

export interface NotifyDeliverer {
  (job: NotifyJobData): Promise<void>;
  close(): void;
}

export function createNotifyDeliverer(options: NotifyDeliveryOptions): NotifyDeliverer {
  const { env, log } = options;
  let email: EmailSender | undefined;
  const smtpUrl = env.SMTP_URL;

  const deliver = async ({ event, target, call }: NotifyJobData): Promise<void> => {
    switch (target.kind) {
      case 'email': {
        if (smtpUrl === undefined || smtpUrl.trim() === '') {
          log.warn({ event: event.id, kind: event.kind }, 'e-mail notification dropped: SMTP_URL is not set');
          return;
        }
        email ??= createEmailSender({ smtpUrl, from: env.SMTP_FROM ?? 'Yardmaster <yardmaster@localhost>' });
        await email.send([target.to], event, call);
        return;
      }
      case 'webhook': {
        if (event.environment === null) {
          log.warn(
            { event: event.id, secretEnv: target.secretEnv },
            'webhook notification dropped: the order has no environment to take its key from',
          );
          return;
        }
        const read = await options.secrets.read(event.repoFullName, event.environment, [target.secretEnv]);
        const secret = read.ok ? read.values[target.secretEnv] : undefined;
        if (!read.ok || secret === undefined) {
          const problem = read.ok
            ? `no value for ${target.secretEnv}`
            : describeSecretReadFailure(read, event.repoFullName, event.environment);
          log.warn(
            { event: event.id, secretEnv: target.secretEnv, problem },
            'webhook notification dropped: its key is not in the secret store',
          );
          return;
        }
        await sendWebhook({ url: target.url, secret }, event);
        return;
      }
      case 'slack': {
        if (options.slack === undefined) {
          log.warn(
            { event: event.id, channel: target.channel },
            'Slack notification dropped: Slack is off (SLACK_BOT_TOKEN)',
          );
          return;
        }
        const posted = await options.slack.chat.postMessage({
          channel: target.channel,
          text: `${call === undefined ? eventSubject(event) : callLine(event, call)}\n${event.url}`,
        });
        if (posted.ok === false) throw new Error(`Slack refused the message: ${posted.error ?? 'unknown error'}`);
        return;
      }
    }
  };
  deliver.close = (): void => email?.close();
  return deliver;
}
