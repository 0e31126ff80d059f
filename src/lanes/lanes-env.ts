/**
 * Lanes in the server process, from its environment: off unless YARDMASTER_LANES_PORT is set; then the router on
 * that port, the API on YARDMASTER_LANES_API_PORT (default: the router's + 1) with YARDMASTER_LANES_TOKEN, versions
 * started from YARDMASTER_LANES_CATALOG, and YARDMASTER_LANES_ROUTER_URL as the router's address in replies and for
 * instances (default http://127.0.0.1:<port>).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DataPlaneEngine } from './data-plane.ts';
import { withoutEmpty } from '../lib/without-empty.ts';
import { formatIssues } from '../plan/index.ts';
import { parseLaneCatalog, type LaneCatalog } from './catalog.ts';

export type LanesSettings =
  | { enabled: false }
  | {
      enabled: true;
      routerPort: number;
      apiPort: number;
      token: string;
      catalog: LaneCatalog;
      routerUrl: string;
      domain: string | undefined;
      /** YARDMASTER_LANES_DATA_PLANE: the engine carrying lane traffic (default node). */
      dataPlane: DataPlaneEngine;
      /** YARDMASTER_LANES_HAPROXY_SOCKET: with `haproxy`, attach to the operator's HAProxy through this runtime API socket. */
      haproxySocket: string | undefined;
    };

const portSchema = z.coerce.number().int().min(1).max(65_535);
const envSchema = z.object({
  YARDMASTER_LANES_PORT: portSchema.optional(),
  YARDMASTER_LANES_API_PORT: portSchema.optional(),
  YARDMASTER_LANES_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  YARDMASTER_LANES_CATALOG: z.string().min(1).optional(),
  YARDMASTER_LANES_ROUTER_URL: z.url({ protocol: /^https?$/ }).optional(),
  YARDMASTER_LANES_DATA_PLANE: z
    .enum(['node', 'haproxy', 'nginx'], { error: 'expected node, haproxy or nginx' })
    .default('node'),
  YARDMASTER_LANES_HAPROXY_SOCKET: z
    .string()
    .regex(/^\/[A-Za-z0-9._/-]+$/, 'an absolute path of letters, digits and . _ / -')
    .optional(),
  YARDMASTER_LANES_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/)
    .optional(),
});

export async function parseLanesEnv(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ ok: true; settings: LanesSettings } | { ok: false; problems: string[] }> {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success)
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  const vars = parsed.data;
  if (vars.YARDMASTER_LANES_PORT === undefined) return { ok: true, settings: { enabled: false } };
  if (vars.YARDMASTER_LANES_TOKEN === undefined)
    return {
      ok: false,
      problems: ['YARDMASTER_LANES_TOKEN: required with YARDMASTER_LANES_PORT (the lanes API and registry)'],
    };
  let catalog: LaneCatalog = {};
  if (vars.YARDMASTER_LANES_CATALOG !== undefined) {
    let text: string;
    try {
      text = await readFile(vars.YARDMASTER_LANES_CATALOG, 'utf8');
    } catch (error) {
      return {
        ok: false,
        problems: [
          `YARDMASTER_LANES_CATALOG: cannot read ${vars.YARDMASTER_LANES_CATALOG}: ${error instanceof Error ? error.message : String(error)}`,
        ],
      };
    }
    const loaded = parseLaneCatalog(text);
    if (!loaded.ok) return { ok: false, problems: [`YARDMASTER_LANES_CATALOG: ${formatIssues(loaded.issues)}`] };
    catalog = loaded.value;
  }
  const routerPort = vars.YARDMASTER_LANES_PORT;
  return {
    ok: true,
    settings: {
      enabled: true,
      routerPort,
      apiPort: vars.YARDMASTER_LANES_API_PORT ?? routerPort + 1,
      token: vars.YARDMASTER_LANES_TOKEN,
      catalog,
      routerUrl: vars.YARDMASTER_LANES_ROUTER_URL ?? `http://127.0.0.1:${routerPort}`,
      domain: vars.YARDMASTER_LANES_DOMAIN,
      dataPlane: vars.YARDMASTER_LANES_DATA_PLANE,
      haproxySocket: vars.YARDMASTER_LANES_HAPROXY_SOCKET,
    },
  };
}
