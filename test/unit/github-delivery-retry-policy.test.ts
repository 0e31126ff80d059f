import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DELIVERY_RETRY,
  deliveryRetryPolicySchema,
  nextAttemptAt,
  retryDelayMs,
} from '../../src/github/delivery-retry-policy.ts';

describe('delivery retry policy', () => {
  it('waits 1 s after the first failure, doubling up to 5 min', () => {
    const delays = [1, 2, 3, 4, 5, 8, 9, 10, 50, 5000].map((attempts) =>
      retryDelayMs(DEFAULT_DELIVERY_RETRY, attempts),
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 128_000, 256_000, 300_000, 300_000, 300_000]);
  });

  it('gives up once the next attempt would start more than 24 h after the delivery was stored', () => {
    const storedAt = new Date('2026-12-01T00:00:00Z');
    const early = new Date('2026-12-01T01:00:00Z');
    expect(nextAttemptAt(DEFAULT_DELIVERY_RETRY, 20, storedAt, early)).toEqual(new Date('2026-12-01T01:05:00Z'));
    const late = new Date('2026-12-01T23:56:00Z');
    expect(nextAttemptAt(DEFAULT_DELIVERY_RETRY, 20, storedAt, late)).toBeUndefined();
    expect(nextAttemptAt(DEFAULT_DELIVERY_RETRY, 1, storedAt, late)).toEqual(new Date('2026-12-01T23:56:01Z'));
  });

  it('refuses a policy whose cap is below its first delay', () => {
    expect(deliveryRetryPolicySchema.safeParse({ firstDelayMs: 10, maxDelayMs: 5, giveUpAfterMs: 100 }).success).toBe(
      false,
    );
    expect(deliveryRetryPolicySchema.safeParse({ firstDelayMs: 10, maxDelayMs: 50, giveUpAfterMs: 100 }).success).toBe(
      true,
    );
  });
});
