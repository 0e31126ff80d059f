/** Schemas of `commands.health` (stage 6) and `commands.monitor` (stage 8). */
import { z } from 'zod';
import { formatDuration, MAX_DURATION_MS } from './duration.ts';
import { durationSchema, integerSchema, textSchema } from './field-schemas.ts';
import { strictObject } from './strict-object.ts';
import type { HealthCheck, MonitorCheck, Probe } from './types.ts';

const DEFAULT_EXPECT_STATUS = 200;
const DEFAULT_RETRIES = 10;
const DEFAULT_INTERVAL_MS = 2_000;

const probeUrlSchema = z.string({ error: 'expected an http:// or https:// URL' }).check((ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(ctx.value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || /\s/.test(ctx.value)) {
    ctx.issues.push({ code: 'custom', message: 'expected an http:// or https:// URL', input: ctx.value });
  }
});

const probeFields = {
  http: probeUrlSchema.optional(),
  command: textSchema('expected a command as a string').optional(),
  expect_status: integerSchema(100, 599).optional(),
  interval: durationSchema(1).optional(),
};

interface ProbeFields {
  http?: string | undefined;
  command?: string | undefined;
  expect_status?: number | undefined;
}

type Context = z.core.$RefinementCtx;

/** Turns the probe fields into a Probe, adding an issue when they do not name exactly one probe. */
function toProbe(fields: ProbeFields, ctx: Context): Probe | undefined {
  const { http, command } = fields;
  if (http !== undefined && command !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give either http or command, not both', input: fields });
    return undefined;
  }
  if (command !== undefined) {
    if (fields.expect_status !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['expect_status'],
        message: 'only applies to an http check',
        input: fields.expect_status,
      });
      return undefined;
    }
    return { kind: 'command', command };
  }
  if (http !== undefined)
    return { kind: 'http', url: http, expectStatus: fields.expect_status ?? DEFAULT_EXPECT_STATUS };
  ctx.addIssue({ code: 'custom', message: 'expected one of http or command', input: fields });
  return undefined;
}

/** `health: { http | command, expect_status, retries, interval }`. */
export const healthSchema = strictObject({ ...probeFields, retries: integerSchema(1, 10_000).optional() }).transform(
  (fields, ctx): HealthCheck => {
    const probe = toProbe(fields, ctx);
    if (probe === undefined) return z.NEVER;
    const retries = fields.retries ?? DEFAULT_RETRIES;
    const intervalMs = fields.interval ?? DEFAULT_INTERVAL_MS;
    // Each retry waits an interval: the whole check is a duration too, bounded like any other.
    if ((retries - 1) * intervalMs > MAX_DURATION_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['retries'],
        message: `retries × interval may wait at most ${formatDuration(MAX_DURATION_MS)} in all (${retries} tries ${formatDuration(intervalMs)} apart wait ${formatDuration((retries - 1) * intervalMs)})`,
        input: fields.retries,
      });
      return z.NEVER;
    }
    return { probe, retries, intervalMs };
  },
);

/** `monitor: { http | command, expect_status, interval, duration }`; the window length is required. */
export const monitorSchema = strictObject({ ...probeFields, duration: durationSchema(1) }).transform(
  (fields, ctx): MonitorCheck => {
    const probe = toProbe(fields, ctx);
    if (probe === undefined) return z.NEVER;
    return { probe, durationMs: fields.duration, intervalMs: fields.interval ?? DEFAULT_INTERVAL_MS };
  },
);
