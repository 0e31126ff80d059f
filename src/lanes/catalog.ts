/**
 * The lane catalog: how to start a version of each service — with the `process` runtime (an argv with `{service}`,
 * `{version}` and `{port}` filled in, extra environment) or, with `ssh`, released onto a lane host (the host, where
 * versions go, each version's package and sha256, the start command, a port range) — and the path that answers 2xx
 * once it is ready. A service's `env` is all of the server's environment its processes get (besides `PATH` and
 * Yardmaster's lane variables): a variable the service needs from the server must be written here.
 */
import { z } from 'zod';
import { hostEntrySchema, absolutePathSchema } from '../config/index.ts';
import type { HostEntry } from '../config/types.ts';
import { versionSchema, strictObject, parseYamlWith } from '../plan/index.ts';
import type { ParseResult } from '../plan/types.ts';

export interface CatalogService {
  /** The `process` runtime's command (empty when the service runs over `ssh`). */
  start: string[];
  env: Record<string, string>;
  health: string;
  ssh?: {
    host: HostEntry;
    deployTo: string;
    packages: Record<string, { url: string; sha256: string }>;
    start: string;
    portRange: [number, number];
  };
}

export type LaneCatalog = Record<string, CatalogService>;

const sshSchema = strictObject(
  {
    host: hostEntrySchema,
    deploy_to: absolutePathSchema,
    packages: z.record(
      versionSchema,
      strictObject(
        { url: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256 in hex' }) },
        'expected { url, sha256 }',
      ),
    ),
    start: z.string().min(1, { error: 'expected the command that starts a version' }),
    port_range: z.tuple([z.number().int().min(1024).max(65_535), z.number().int().min(1024).max(65_535)], {
      error: 'expected [low, high] ports',
    }),
  },
  'expected ssh: { host, deploy_to, packages, start, port_range }',
);

const serviceSchema = strictObject(
  {
    start: z
      .array(z.string().min(1), { error: 'expected the command as a list: [node, server.mjs]' })
      .min(1)
      .optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    health: z.string().regex(/^\//, { error: 'expected a path like /healthz' }).default('/healthz'),
    ssh: sshSchema.optional(),
  },
  'expected a service: { start, env, health } or { ssh, health }',
)
  .refine((service) => service.start !== undefined || service.ssh !== undefined, {
    error: 'expected start (a local process) or ssh (a lane host)',
  })
  .transform(
    (service): CatalogService => ({
      start: service.start ?? [],
      env: service.env,
      health: service.health,
      ...(service.ssh === undefined
        ? {}
        : {
            ssh: {
              host: service.ssh.host,
              deployTo: service.ssh.deploy_to,
              packages: service.ssh.packages,
              start: service.ssh.start,
              portRange: service.ssh.port_range,
            },
          }),
    }),
  );

/** A service's name in the catalog (and the lane library). */
export const CATALOG_SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const catalogSchema = strictObject(
  {
    services: z.record(z.string().regex(CATALOG_SERVICE_NAME), serviceSchema, {
      error: 'expected a map of services',
    }),
  },
  'expected a lane catalog: { services }',
);

export function parseLaneCatalog(text: string): ParseResult<LaneCatalog> {
  const parsed = parseYamlWith(text, catalogSchema);
  return parsed.ok ? { ok: true, value: parsed.value.services } : parsed;
}

/** One service's entry as the catalog writes it (a `lane_catalog` row, an API or CLI body), checked by the same rules. */
export function parseCatalogEntry(
  value: unknown,
): { ok: true; value: CatalogService } | { ok: false; message: string } {
  const parsed = serviceSchema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    message: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`).join('; '),
  };
}

/** A service's entry back in the catalog's own form (what {@link parseCatalogEntry} reads). */
export function catalogEntryOf(service: CatalogService): Record<string, unknown> {
  const entry: Record<string, unknown> = { env: service.env, health: service.health };
  if (service.start.length > 0) entry.start = service.start;
  if (service.ssh !== undefined) {
    const { host } = service.ssh;
    entry.ssh = {
      host: {
        name: host.name,
        address: host.address,
        port: host.port,
        executor: host.executor,
        ...(host.user === undefined ? {} : { user: host.user }),
        ...(host.hostKey === undefined ? {} : { host_key: host.hostKey }),
        ...(host.deployTo === undefined ? {} : { deploy_to: host.deployTo }),
      },
      deploy_to: service.ssh.deployTo,
      packages: service.ssh.packages,
      start: service.ssh.start,
      port_range: service.ssh.portRange,
    };
  }
  return entry;
}
