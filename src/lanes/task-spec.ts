/**
 * A test task's lane spec (YAML, e.g. a ```yardmaster-lane block): which version of each service the task needs
 * (`baseline` = the shared baseline's), the calls between them, the routing mode and how long the lane lives.
 * Errors name the line and the field, like plans. Versions follow the plan's version rule; `ttl` is bounded by the
 * caller's limit (a repository's `maxTtlMs`, else the operator ceiling) and refused above it, never shortened.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { durationSchema, parseYamlWith } from '../plan/index.ts';
import type { ParseResult } from '../plan/types.ts';
import { LANE_NAME } from './lane-id.ts';
import { DEFAULT_LANE_TTL_MS, formatTtl, MAX_OPERATOR_LANE_TTL_MS } from './lane-limits.ts';
import { laneVersionSchema } from './lane-version.ts';

const SERVICE = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})$/;

export interface LaneSpec {
  lane: string;
  /** Service → version, or `baseline`. */
  services: Record<string, string>;
  calls: { from: string; to: string }[];
  mode: 'fallback' | 'strict';
  ttlMs: number;
}

/** A lane's TTL: a duration of at least a second and at most `maxTtlMs` (written in the message, e.g. `72h`). */
function ttlSchema(maxTtlMs: number, whose: string) {
  return durationSchema(1000, maxTtlMs, {
    tooShort: () => 'expected a lane TTL of at least 1s',
    tooLong: (text) => `${text.trim()} is longer than ${formatTtl(maxTtlMs)}, the longest lane TTL ${whose}`,
  });
}

/** The spec's schema, its `ttl` bounded by `maxTtlMs`. */
function specSchema(maxTtlMs: number, whose: string) {
  return z
    .object(
      {
        lane: z
          .string()
          .regex(LANE_NAME, { error: 'expected a lane name of lowercase letters, digits and -' })
          .optional(),
        services: z.record(z.string().regex(SERVICE, { error: 'expected a service name' }), laneVersionSchema, {
          error: 'expected a map of services to versions',
        }),
        calls: z
          .array(
            z.string().regex(/^\s*[A-Za-z0-9_-]+\s*->\s*[A-Za-z0-9_-]+\s*$/, { error: 'expected a call like A->B' }),
          )
          .default([]),
        mode: z.enum(['fallback', 'strict'], { error: 'expected fallback or strict' }).default('fallback'),
        ttl: ttlSchema(maxTtlMs, whose).optional(),
      },
      { error: 'expected a lane spec: a map with services' },
    )
    .strict()
    .superRefine((spec, ctx) => {
      if (Object.keys(spec.services).length === 0)
        ctx.addIssue({ code: 'custom', path: ['services'], message: 'expected at least one service' });
      spec.calls.forEach((call, index) => {
        for (const end of call.split('->').map((part) => part.trim())) {
          if (!(end in spec.services))
            ctx.addIssue({ code: 'custom', path: ['calls', index], message: `${end} is not among the services` });
        }
      });
    });
}

/** The lane name of a spec without one: its versions, hashed (the same task gets the same lane). */
function derivedName(services: Record<string, string>): string {
  const key = Object.entries(services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, version]) => `${service}=${version}`)
    .join(',');
  return `lane-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

export interface LaneSpecOptions {
  /** The longest TTL the spec may ask for (default: the operator ceiling, 30 days). */
  maxTtlMs?: number;
  /** Whose limit it is, for the message: `the longest lane TTL <whose>` (default `allowed here`). */
  whose?: string;
}

/**
 * Parses a lane spec; every problem comes back with its line, column and field. A spec without `ttl` gets 24 hours,
 * or `maxTtlMs` when that is shorter.
 */
export function parseLaneSpec(text: string, options: LaneSpecOptions = {}): ParseResult<LaneSpec> {
  const maxTtlMs = Math.min(options.maxTtlMs ?? MAX_OPERATOR_LANE_TTL_MS, MAX_OPERATOR_LANE_TTL_MS);
  const parsed = parseYamlWith(text, specSchema(maxTtlMs, options.whose ?? 'allowed here'));
  if (!parsed.ok) return parsed;
  const { lane, services, calls, mode, ttl } = parsed.value;
  return {
    ok: true,
    value: {
      lane: lane ?? derivedName(services),
      services,
      calls: calls.map((call) => {
        const [from = '', to = ''] = call.split('->').map((part) => part.trim());
        return { from, to };
      }),
      mode,
      ttlMs: ttl ?? Math.min(DEFAULT_LANE_TTL_MS, maxTtlMs),
    },
  };
}
