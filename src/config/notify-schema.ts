/**
 * `environments.<env>.notify`: who hears of the environment's key events. Slack channels, e-mail addresses, and
 * webhooks whose signing key is the secret named by `secret_env` in Yardmaster's secret store, for the repository and
 * this environment (`yardmaster secrets set --repo owner/name --env <env> NAME`): never from the repo, never from
 * the server's environment.
 */
import { z } from 'zod';
import { strictObject } from '../plan/index.ts';
import { envNameSchema, slackChannelSchema } from './field-schemas.ts';
import { KEY_EVENT_KINDS, type NotifyConfig } from './types.ts';

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

export const notifySchema = strictObject(
  {
    events: z.array(z.enum(KEY_EVENT_KINDS, { error: `expected one of ${KEY_EVENT_KINDS.join(', ')}` })).optional(),
    slack: z.array(slackChannelSchema, { error: 'expected a list of Slack channel ids' }).default([]),
    email: z.array(emailSchema, { error: 'expected a list of e-mail addresses' }).default([]),
    webhooks: z.array(webhookSchema, { error: 'expected a list of webhooks' }).default([]),
  },
  'expected notify: { events, slack, email, webhooks }',
).transform(
  (fields): NotifyConfig => ({
    events: fields.events ?? [...KEY_EVENT_KINDS],
    slack: fields.slack,
    email: fields.email,
    webhooks: fields.webhooks.map((hook) => ({ url: hook.url, secretEnv: hook.secret_env })),
  }),
);
