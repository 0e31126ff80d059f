/**
 * `environments.<env>.notify`: who hears of the environment's key events. Slack channels, e-mail addresses,
 * webhooks whose signing key is the secret named by `secret_env` in Yardmaster's secret store, for the repository and
 * this environment, and text messages through Twilio whose account SID and auth token are secrets of the same store (`yardmaster secrets set --repo owner/name --env <env> NAME`): never from the repo, never from
 * the server's environment.
 */
import { z } from 'zod';
import { strictObject } from '../plan/index.ts';
import { envNameSchema, slackChannelSchema } from './field-schemas.ts';
import { NOTIFY_EVENT_KINDS, type NotifyConfig, type SmsSubscription } from './types.ts';

/** One e-mail address (notify lists, `email.users`). */
export const emailSchema = z
  .string({ error: 'expected an e-mail address' })
  .regex(/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/, {
    error: 'expected an e-mail address like ops@example.com',
  });

const webhookUrlSchema = z.string({ error: 'expected an http(s) URL' }).refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  },
  { error: 'expected an http(s) URL without user:password' },
);

const webhookSchema = strictObject(
  {
    url: webhookUrlSchema,
    secret_env: envNameSchema,
  },
  'expected a webhook: { url, secret_env }',
);

/** E.164: a plus, a country code and up to 15 digits in all. */
const phoneSchema = z
  .string({ error: 'expected a phone number in E.164 form, like "+15551234567" (quoted)' })
  .regex(/^\+[1-9]\d{6,14}$/, { error: 'expected a phone number in E.164 form, like "+15551234567"' });

/** Twilio's `From`: an E.164 number, an alphanumeric sender id (1–11 letters, digits, spaces; a letter in it), or `MG…`. */
const smsSenderSchema = z
  .string({ error: 'expected a sender: an E.164 number, an alphanumeric sender id or a Messaging Service SID' })
  .refine(
    (value) =>
      /^\+[1-9]\d{6,14}$/.test(value) ||
      /^MG[0-9a-f]{32}$/.test(value) ||
      (/^[A-Za-z0-9 ]{1,11}$/.test(value) && /[A-Za-z]/.test(value)),
    {
      error:
        'expected "+15557654321", an alphanumeric sender id of at most 11 letters and digits, or a Messaging Service SID "MG…"',
    },
  );

const smsSchema = strictObject(
  {
    to: z
      .array(phoneSchema, { error: 'expected a list of phone numbers' })
      .min(1, { error: 'expected at least one phone number' }),
    from: smsSenderSchema,
    account_sid_env: envNameSchema.default('TWILIO_ACCOUNT_SID'),
    auth_token_env: envNameSchema.default('TWILIO_AUTH_TOKEN'),
  },
  'expected sms: { to, from, account_sid_env, auth_token_env }',
).transform(
  (fields): SmsSubscription => ({
    to: [...new Set(fields.to)],
    from: fields.from,
    accountSidEnv: fields.account_sid_env,
    authTokenEnv: fields.auth_token_env,
  }),
);

export const notifySchema = strictObject(
  {
    events: z
      .array(z.enum(NOTIFY_EVENT_KINDS, { error: `expected one of ${NOTIFY_EVENT_KINDS.join(', ')}` }))
      .optional(),
    slack: z.array(slackChannelSchema, { error: 'expected a list of Slack channel ids' }).default([]),
    email: z.array(emailSchema, { error: 'expected a list of e-mail addresses' }).default([]),
    webhooks: z.array(webhookSchema, { error: 'expected a list of webhooks' }).default([]),
    sms: smsSchema.optional(),
  },
  'expected notify: { events, slack, email, webhooks, sms }',
).transform((fields): NotifyConfig => {
  const notify: NotifyConfig = {
    events: fields.events ?? [...NOTIFY_EVENT_KINDS],
    slack: fields.slack,
    email: fields.email,
    webhooks: fields.webhooks.map((hook) => ({ url: hook.url, secretEnv: hook.secret_env })),
  };
  if (fields.sms !== undefined) notify.sms = fields.sms;
  return notify;
});
