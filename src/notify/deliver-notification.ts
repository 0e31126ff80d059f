/**
 * The `notify.deliver` job handler: one attempt to tell one subscriber of one key event. A throw fails the attempt
 * and pg-boss retries it later with a growing delay. A subscriber that cannot be served as configured (no SMTP
 * server, a webhook's key or Twilio's credentials missing from the secret store, Slack off, a text message Twilio
 * refuses for good) is logged and dropped, not retried.
 */
import { describeSecretReadFailure, type SecretSource } from '../policy/index.ts';
import { createEmailSender, type EmailMessage, type EmailSender } from './email-sender.ts';
import { noticeJson, noticeSubject, noticeText } from './environment-notice.ts';
import { callLine, callSubject, callText, eventJson, eventSubject, eventText } from './event-text.ts';
import type { NotifyJobData } from './notify-queue.ts';
import { deliverSms } from './deliver-sms.ts';
import { postSignedJson, type WebhookMessage } from './webhook-sender.ts';

export interface NotifyDeliveryOptions {
  /** The server's environment: SMTP_URL, SMTP_FROM and TWILIO_API_URL. */
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

/** One job's message as each channel words it; `event` names it in logs and says whose secret signs a webhook. */
interface Message {
  event: { id: number; kind: string; repoFullName: string; environment: string | null };
  email: EmailMessage;
  webhook: WebhookMessage;
  slack: string;
  /** A text message: the subject line and the link. */
  sms: string;
}

function messageOf(job: NotifyJobData): Message {
  if ('event' in job) {
    const { event, call } = job;
    const line = call === undefined ? eventSubject(event) : callLine(event, call);
    const email: EmailMessage =
      call === undefined
        ? { id: event.id, kind: event.kind, subject: eventSubject(event), text: eventText(event) }
        : {
            id: event.id,
            kind: event.kind,
            subject: callSubject(event, call),
            text: callText(event, call),
            variant: call.role,
          };
    return {
      event,
      email,
      webhook: { id: event.id, kind: event.kind, json: eventJson(event) },
      slack: `${line}\n${event.url}`,
      sms: `${line}\n${event.url}`,
    };
  }
  const { notice } = job;
  const kind = 'environment_set';
  return {
    event: { id: notice.id, kind, repoFullName: notice.repoFullName, environment: notice.environment },
    email: { id: notice.id, kind, subject: noticeSubject(notice), text: noticeText(notice) },
    webhook: { id: notice.id, kind, json: noticeJson(notice) },
    slack: `${noticeSubject(notice)}\n${notice.url}`,
    sms: `${noticeSubject(notice)}\n${notice.url}`,
  };
}

export function createNotifyDeliverer(options: NotifyDeliveryOptions): NotifyDeliverer {
  const { env, log } = options;
  let email: EmailSender | undefined;
  const smtpUrl = env.SMTP_URL;

  const deliver = async (job: NotifyJobData): Promise<void> => {
    const { target } = job;
    const message = messageOf(job);
    const { event } = message;
    switch (target.kind) {
      case 'email': {
        if (smtpUrl === undefined || smtpUrl.trim() === '') {
          log.warn({ event: event.id, kind: event.kind }, 'e-mail notification dropped: SMTP_URL is not set');
          return;
        }
        email ??= createEmailSender({ smtpUrl, from: env.SMTP_FROM ?? 'Yardmaster <yardmaster@localhost>' });
        await email.sendMessage([target.to], message.email);
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
        await postSignedJson({ url: target.url, secret }, message.webhook);
        return;
      }
      case 'sms': {
        await deliverSms(options, event, message.sms, target);
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
          text: message.slack,
        });
        if (posted.ok === false) throw new Error(`Slack refused the message: ${posted.error ?? 'unknown error'}`);
        return;
      }
    }
  };
  deliver.close = (): void => email?.close();
  return deliver;
}
