/**
 * When the inbox tries a delivery again after a transient failure: 1 s after the first failure, doubling up to a cap
 * (5 min), and no more once the delivery has been waiting longer than a bound (24 h) — then it counts as failed.
 */
import { z } from 'zod';

/** How a failed delivery is retried; tests shorten it. */
export interface DeliveryRetryPolicy {
  /** Wait after the first failed attempt. */
  firstDelayMs: number;
  /** No wait longer than this. */
  maxDelayMs: number;
  /** No attempt starts later than this after the delivery was stored. */
  giveUpAfterMs: number;
}

export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  giveUpAfterMs: 24 * 3_600_000,
};

export const deliveryRetryPolicySchema = z
  .object({
    firstDelayMs: z.number().int().positive(),
    maxDelayMs: z.number().int().positive(),
    giveUpAfterMs: z.number().int().nonnegative(),
  })
  .refine((policy) => policy.maxDelayMs >= policy.firstDelayMs, {
    error: 'maxDelayMs must be at least firstDelayMs',
  });

/** The wait after `failedAttempts` failed attempts (1 = the first failed): first delay doubled each time, capped. */
export function retryDelayMs(policy: DeliveryRetryPolicy, failedAttempts: number): number {
  const doublings = Math.max(0, failedAttempts - 1);
  // 2 ** 40 × 1 ms is over 30 years: past any cap, and no overflow to Infinity.
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(doublings, 40));
}

/**
 * When to try again after `failedAttempts` failed attempts of a delivery stored at `storedAt`, or `undefined` when
 * that would be past the bound (give up).
 */
export function nextAttemptAt(
  policy: DeliveryRetryPolicy,
  failedAttempts: number,
  storedAt: Date,
  now: Date,
): Date | undefined {
  const next = new Date(now.getTime() + retryDelayMs(policy, failedAttempts));
  return next.getTime() - storedAt.getTime() > policy.giveUpAfterMs ? undefined : next;
}
