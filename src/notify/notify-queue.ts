/**
/**
 * The queue of notification deliveries, `notify.deliver`: one job per key event (or environment-set notice) and
 * subscriber (one e-mail recipient, one webhook, one Slack channel or member, one phone number), retried with growing
 * delays while the subscriber fails, so that a failing notifier never holds up anything else. Opened with the release
 * queues in every process.
 */
import { z } from 'zod';
import { environmentNoticeSchema } from './environment-notice.ts';
import { KEY_EVENT_KINDS } from './types.ts';

const keyEventSchema = z.object({
  id: z.number().int().nonnegative(),
  kind: z.enum(KEY_EVENT_KINDS),
  workOrderId: z.number().int().positive(),
  repoFullName: z.string(),
  number: z.number().int(),
  title: z.string(),
  app: z.string().nullable(),
  environment: z.string().nullable(),
  version: z.string().nullable(),
  actor: z.string(),
  reason: z.string().nullable(),
  at: z.coerce.date(),
  url: z.string(),
});

export const notifyTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('email'), to: z.string().min(3) }),
  z.object({ kind: z.literal('webhook'), url: z.url(), secretEnv: z.string().min(1) }),
  z.object({ kind: z.literal('slack'), channel: z.string().min(1) }),
  z.object({
    kind: z.literal('sms'),
    to: z.string().min(3),
    from: z.string().min(1),
    accountSidEnv: z.string().min(1),
    authTokenEnv: z.string().min(1),
  }),
]);
export type NotifyTarget = z.infer<typeof notifyTargetSchema>;

/** Set when the job calls a named person to their step rather than telling a subscriber (person-calls.ts). */
const personCallSchema = z.object({
  login: z.string().min(1),
  role: z.enum(['plan_author', 'deployer', 'acceptor']),
});

/** A key event of a work order (to a subscriber, or calling a named person), or an environment-set notice. */
export const notifyJobSchema = z.union([
  z.object({ event: keyEventSchema, target: notifyTargetSchema, call: personCallSchema.optional() }),
  z.object({ notice: environmentNoticeSchema, target: notifyTargetSchema }),
]);
export type NotifyJobData = z.infer<typeof notifyJobSchema>;

export const NOTIFY_QUEUE = 'notify.deliver';

/** About 8 attempts over roughly an hour and a half (pg-boss doubles the delay each time, with jitter). */
export const NOTIFY_QUEUES = {
  [NOTIFY_QUEUE]: {
    schema: notifyJobSchema,
    retryLimit: 8,
    retryDelaySeconds: 10,
    retryBackoff: true,
    expireInSeconds: 300,
  },
} as const;
