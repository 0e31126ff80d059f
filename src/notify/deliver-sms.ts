/**
 * A key event or notice as a text message: Twilio's credentials come from the secret store under the event's repository and
 * environment (the environment whose `notify.sms` names them), never from the server's environment; only the API's
 * address does (`TWILIO_API_URL`, default Twilio's). Missing credentials and refusals that a retry would not change
 * are logged and dropped; network errors, 429 and 5xx are thrown for the queue to retry.
 */
import { describeSecretReadFailure, type SecretSource } from '../policy/index.ts';
import type { NotifyTarget } from './notify-queue.ts';
import { sendSms, TWILIO_API_URL } from './sms-sender.ts';

type SmsTarget = Extract<NotifyTarget, { kind: 'sms' }>;

export interface SmsDeliveryOptions {
  env: Readonly<Record<string, string | undefined>>;
  secrets: SecretSource;
  log: { warn(fields: object, message: string): void };
}

/** What is being told, for the logs and for whose secrets to read. */
export interface SmsEvent {
  id: number;
  kind: string;
  repoFullName: string;
  environment: string | null;
}

export async function deliverSms(
  options: SmsDeliveryOptions,
  event: SmsEvent,
  text: string,
  target: SmsTarget,
): Promise<void> {
  const { log } = options;
  if (event.environment === null) {
    log.warn({ event: event.id }, 'text message dropped: the order has no environment to take Twilio credentials from');
    return;
  }
  const names = [target.accountSidEnv, target.authTokenEnv];
  const read = await options.secrets.read(event.repoFullName, event.environment, names);
  const accountSid = read.ok ? read.values[target.accountSidEnv] : undefined;
  const authToken = read.ok ? read.values[target.authTokenEnv] : undefined;
  if (!read.ok || accountSid === undefined || authToken === undefined) {
    const problem = read.ok
      ? `no value for ${names.join(' or ')}`
      : describeSecretReadFailure(read, event.repoFullName, event.environment);
    log.warn(
      { event: event.id, secrets: names, problem },
      'text message dropped: Twilio credentials are not in the secret store',
    );
    return;
  }
  const configured = options.env.TWILIO_API_URL?.trim() ?? '';
  const apiUrl = configured === '' ? TWILIO_API_URL : configured;
  const sent = await sendSms({ apiUrl, accountSid, authToken }, { to: target.to, from: target.from, body: text });
  if (!sent.ok) log.warn({ event: event.id, kind: event.kind, problem: sent.refused }, 'text message dropped');
}
