/**
 * The lane catalog: how to start a version of each service with the `process` runtime (an argv with `{service}`,
 * `{version}` and `{port}` filled in, extra environment, and the path that answers 2xx once it is ready).
 */
import { z } from 'zod';
import { strictObject } from '../plan/strict-object.ts';
import { parseYamlWith } from '../plan/parse-yaml-with.ts';
import type { ParseResult } from '../plan/types.ts';

export interface CatalogService {
  start: string[];
  env: Record<string, string>;
  health: string;
}

export type LaneCatalog = Record<string, CatalogService>;

const serviceSchema = strictObject(
  {
    start: z.array(z.string().min(1), { error: 'expected the command as a list: [node, server.mjs]' }).min(1),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    health: z.string().regex(/^\//, { error: 'expected a path like /healthz' }).default('/healthz'),
  },
  'expected a service: { start, env, health }',
);

const catalogSchema = strictObject(
  { services: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/), serviceSchema, { error: 'expected a map of services' }) },
  'expected a lane catalog: { services }',
);

export function parseLaneCatalog(text: string): ParseResult<LaneCatalog> {
  const parsed = parseYamlWith(text, catalogSchema);
  return parsed.ok ? { ok: true, value: parsed.value.services } : parsed;
}
