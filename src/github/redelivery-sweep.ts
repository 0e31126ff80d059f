/**
 * Deliveries GitHub recorded as failed because Yardmaster could not store them (the database was down, the server
 * was not running): GitHub does not send them again by itself. The sweep lists the App's recent deliveries
 * (`GET /app/hook/deliveries`, as the App), picks those that never succeeded, are for an event Yardmaster handles and
 * are not in `webhook_deliveries`, and asks GitHub to redeliver each (`POST /app/hook/deliveries/{id}/attempts`),
 * oldest first, a bounded number per sweep, and once per delivery: each request is an audit row, and a delivery
 * with such a row is not asked for again.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit, auditLog } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import { SYSTEM_ACTOR } from '../workorders/service/index.ts';
import { storedDeliveryIds } from './delivery-log.ts';
import { routeOf } from './delivery-routes.ts';
import type { Answer } from './octokit-slice.ts';
import type { HandlerLog } from './types.ts';

/** The audit action of a redelivery request; `data.delivery` is GitHub's delivery GUID. */
export const REDELIVERY_AUDIT_ACTION = 'webhook.redelivery_requested';

type ListParams = { per_page: number; cursor?: string };
type RedeliverParams = { delivery_id: number };

/** The slice of an App-authenticated (JWT) Octokit the sweep uses: Probot's `app.auth()` is one. */
export interface AppHookClient {
  rest: {
    apps: {
      listWebhookDeliveries(
        params: ListParams,
      ): Promise<{ status: number; data: unknown; headers: { link?: string | undefined } }>;
      redeliverWebhookDelivery(params: RedeliverParams): Answer;
    };
  };
}

/** Bounds of one sweep. */
export interface RedeliveryBounds {
  /** Pages of the delivery list read at most (default 10). */
  maxPages: number;
  /** Deliveries per page (default 100, GitHub's maximum). */
  perPage: number;
  /** Redeliveries requested at most (default 50); the rest wait for the next sweep. */
  maxRedeliveries: number;
  /** Only deliveries this recent (default 3 days: GitHub redelivers nothing older). */
  maxAgeMs: number;
}

export const DEFAULT_REDELIVERY_BOUNDS: RedeliveryBounds = {
  maxPages: 10,
  perPage: 100,
  maxRedeliveries: 50,
  maxAgeMs: 3 * 24 * 3_600_000,
};

export interface RedeliverySweepOptions {
  db: Db;
  /** A client acting as the App itself (JWT), not as an installation. */
  app: () => Promise<AppHookClient>;
  log: HandlerLog;
  bounds?: Partial<RedeliveryBounds>;
}

/** What one sweep did. */
export interface RedeliverySweepResult {
  /** Deliveries listed (attempts, redeliveries included). */
  listed: number;
  /** GUIDs whose redelivery was requested, oldest first. */
  requested: string[];
  /** GUIDs whose request GitHub refused (audited anyway, so not asked for again). */
  refused: string[];
  /** Failed, unstored deliveries left for the next sweep by `maxRedeliveries`. */
  leftOver: number;
}

const deliveryItemSchema = z.object({
  id: z.number().int(),
  guid: z.string(),
  delivered_at: z.string(),
  redelivery: z.boolean(),
  status_code: z.number().int(),
  event: z.string(),
  action: z.string().nullable(),
  installation_id: z.number().int().nullable(),
});
type DeliveryItem = z.infer<typeof deliveryItemSchema>;

/** The `cursor` of the `rel="next"` page in a Link header. */
export function nextCursorOf(link: string | undefined): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (match?.[1] !== undefined)
      return new URL(match[1], 'https://api.github.com').searchParams.get('cursor') ?? undefined;
  }
  return undefined;
}

async function listRecentDeliveries(
  client: AppHookClient,
  bounds: RedeliveryBounds,
  now: number,
): Promise<DeliveryItem[]> {
  const items: DeliveryItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < bounds.maxPages; page++) {
    const answer = await client.rest.apps.listWebhookDeliveries({
      per_page: bounds.perPage,
      ...(cursor === undefined ? {} : { cursor }),
    });
    const listed = z.array(deliveryItemSchema).parse(answer.data);
    items.push(...listed);
    cursor = nextCursorOf(answer.headers.link);
    // Newest first: once a page reaches past the window, later pages are older still.
    const oldest = listed.at(-1);
    if (cursor === undefined || oldest === undefined || now - Date.parse(oldest.delivered_at) > bounds.maxAgeMs) break;
  }
  return items;
}

/** Failed deliveries worth asking for: never succeeded, recent, for a handled event; one attempt each, oldest first. */
function failedDeliveries(items: readonly DeliveryItem[], bounds: RedeliveryBounds, now: number): DeliveryItem[] {
  const succeeded = new Set(
    items.filter((item) => item.status_code >= 200 && item.status_code < 400).map((item) => item.guid),
  );
  const byGuid = new Map<string, DeliveryItem>();
  for (const item of items) {
    if (succeeded.has(item.guid) || item.installation_id === null) continue;
    if (now - Date.parse(item.delivered_at) > bounds.maxAgeMs) continue;
    if (routeOf(item.event, item.action ?? undefined) === undefined) continue;
    const seen = byGuid.get(item.guid);
    if (seen === undefined || Date.parse(item.delivered_at) < Date.parse(seen.delivered_at))
      byGuid.set(item.guid, item);
  }
  return [...byGuid.values()].sort((a, b) => Date.parse(a.delivered_at) - Date.parse(b.delivered_at) || a.id - b.id);
}

/** GUIDs whose redelivery was requested before (audit rows). */
async function requestedBefore(db: Db, guids: readonly string[]): Promise<Set<string>> {
  if (guids.length === 0) return new Set();
  const delivery = sql<string>`${auditLog.data}->>'delivery'`;
  const rows = await db
    .select({ delivery })
    .from(auditLog)
    .where(and(eq(auditLog.action, REDELIVERY_AUDIT_ACTION), inArray(delivery, [...guids])));
  return new Set(rows.map((row) => row.delivery));
}

/** One sweep (see the module comment). Throws when GitHub cannot be asked or the database cannot be read. */
export async function sweepFailedDeliveries(options: RedeliverySweepOptions): Promise<RedeliverySweepResult> {
  const bounds = { ...DEFAULT_REDELIVERY_BOUNDS, ...options.bounds };
  const { db, log } = options;
  const client = await options.app();
  const now = Date.now();
  const items = await listRecentDeliveries(client, bounds, now);
  const failed = failedDeliveries(items, bounds, now);
  const guids = failed.map((item) => item.guid);
  const stored = await storedDeliveryIds(db, guids);
  const asked = await requestedBefore(db, guids);
  const wanted = failed.filter((item) => !stored.has(item.guid) && !asked.has(item.guid));
  const chosen = wanted.slice(0, bounds.maxRedeliveries);
  const result: RedeliverySweepResult = {
    listed: items.length,
    requested: [],
    refused: [],
    leftOver: wanted.length - chosen.length,
  };
  for (const item of chosen) {
    const fields = {
      delivery: item.guid,
      hookDeliveryId: item.id,
      event: item.event,
      action: item.action,
      statusCode: item.status_code,
    };
    // The audit row first: should the request's outcome be lost, the delivery is still asked for only once.
    await db.transaction(async (tx) => {
      await appendAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: REDELIVERY_AUDIT_ACTION,
        reason: `GitHub recorded delivery ${item.guid} as failed (status ${item.status_code}), and it is not stored`,
        data: fields,
      });
    });
    try {
      await client.rest.apps.redeliverWebhookDelivery({ delivery_id: item.id });
      result.requested.push(item.guid);
    } catch (error) {
      log.warn({ ...fields, err: error }, 'GitHub refused to redeliver a failed delivery');
      result.refused.push(item.guid);
    }
  }
  if (chosen.length > 0 || result.leftOver > 0) {
    log.info(
      {
        listed: items.length,
        requested: result.requested.length,
        refused: result.refused.length,
        leftOver: result.leftOver,
      },
      'asked GitHub to redeliver failed deliveries',
    );
  }
  return result;
}
