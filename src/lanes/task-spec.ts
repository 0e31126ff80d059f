/**
 * A test task's lane spec (YAML, e.g. a ```yardmaster-lane block): which version of each service the task needs
 * (`baseline` = the shared baseline's), the calls between them, the routing mode and how long the lane lives.
 * Errors name the line and the field, like plans.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { durationSchema } from '../plan/field-schemas.ts';
import { parseYamlWith } from '../plan/parse-yaml-with.ts';
import type { ParseResult } from '../plan/types.ts';

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SERVICE = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})$/;
const VERSION = /^[A-Za-z0-9._-]{1,64}$/;

export interface LaneSpec {
  lane: string;
  /** Service → version, or `baseline`. */
  services: Record<string, string>;
  calls: { from: string; to: string }[];
  mode: 'fallback' | 'strict';
  ttlMs: number;
}

const specSchema = z
  .object(
    {
      lane: z.string().regex(NAME, { error: 'expected a lane name of lowercase letters, digits and -' }).optional(),
      services: z.record(
        z.string().regex(SERVICE, { error: 'expected a service name' }),
        z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(VERSION, { error: 'expected a version or baseline' })),
        { error: 'expected a map of services to versions' },
      ),
      calls: z.array(z.string().regex(/^\s*[A-Za-z0-9_-]+\s*->\s*[A-Za-z0-9_-]+\s*$/, { error: 'expected a call like A->B' })).default([]),
      mode: z.enum(['fallback', 'strict'], { error: 'expected fallback or strict' }).default('fallback'),
      ttl: durationSchema(1000).default(24 * 3600 * 1000),
    },
    { error: 'expected a lane spec: a map with services' },
  )
  .strict()
  .superRefine((spec, ctx) => {
    if (Object.keys(spec.services).length === 0) ctx.addIssue({ code: 'custom', path: ['services'], message: 'expected at least one service' });
    spec.calls.forEach((call, index) => {
      for (const end of call.split('->').map((part) => part.trim())) {
        if (!(end in spec.services)) ctx.addIssue({ code: 'custom', path: ['calls', index], message: `${end} is not among the services` });
      }
    });
  });

/** The lane name of a spec without one: its versions, hashed (the same task gets the same lane). */
function derivedName(services: Record<string, string>): string {
  const key = Object.entries(services).sort(([a], [b]) => a.localeCompare(b)).map(([service, version]) => `${service}=${version}`).join(',');
  return `lane-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

/** Parses a lane spec; every problem comes back with its line, column and field. */
export function parseLaneSpec(text: string): ParseResult<LaneSpec> {
  const parsed = parseYamlWith(text, specSchema);
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
      ttlMs: ttl,
    },
  };
}
