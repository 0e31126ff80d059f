/**
 * Changing an instance's metadata (instance-metadata.ts) in one transaction, under the instance's row lock, audited
 * as `lane.instance_changed` with each field's old and new value. Making an instance the baseline takes the flag from
 * the service's other instances (audited too) and tells the routers; only an instance that is up may become it.
 */
import { and, eq, ne } from 'drizzle-orm';
import { appendAudit, laneInstances } from '../db/index.ts';
import type { Tx } from '../db/types.ts';
import { MAX_LABELS, patchedLabels, type MetadataPatch } from './instance-metadata.ts';
import { LANE_AUDIT } from './lane-audit.ts';
import { announceLaneChange, findInstance, type LaneInstance } from './library-store.ts';

export type ModifyResult =
  | { ok: true; instance: LaneInstance; changed: string[] }
  | { ok: false; reason: 'not-found' | 'not-up' | 'too-many-labels'; message: string };

export async function modifyInstance(
  tx: Tx,
  service: string,
  version: string,
  patch: MetadataPatch,
  actor: string,
): Promise<ModifyResult> {
  const row = await findInstance(tx, service, version, { lock: true });
  if (row === undefined) return { ok: false, reason: 'not-found', message: `no instance ${service}@${version}` };
  if (patch.baseline === true && !row.baseline && row.state !== 'up') {
    return {
      ok: false,
      reason: 'not-up',
      message: `${service}@${version} is ${row.state}: only an instance that is up can become the baseline`,
    };
  }
  const labels = patch.labels === undefined ? row.labels : patchedLabels(row.labels, patch.labels);
  if (Object.keys(labels).length > MAX_LABELS) {
    return { ok: false, reason: 'too-many-labels', message: `an instance has at most ${MAX_LABELS} labels` };
  }
  const next = {
    description: patch.description ?? row.description,
    owner: patch.owner ?? row.owner,
    labels,
    baseline: patch.baseline ?? row.baseline,
  };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of ['description', 'owner', 'labels', 'baseline'] as const) {
    if (JSON.stringify(row[field]) !== JSON.stringify(next[field]))
      changes[field] = { from: row[field], to: next[field] };
  }
  const changed = Object.keys(changes);
  if (changed.length === 0) return { ok: true, instance: row, changed };
  if (next.baseline && !row.baseline) {
    const previous = await tx
      .update(laneInstances)
      .set({ baseline: false })
      .where(and(eq(laneInstances.service, service), eq(laneInstances.baseline, true), ne(laneInstances.id, row.id)))
      .returning();
    for (const old of previous) {
      await appendAudit(tx, {
        actor,
        action: LANE_AUDIT.instanceChanged,
        reason: `the baseline of ${service} is now ${version}`,
        data: { service, version: old.version, changes: { baseline: { from: true, to: false } } },
      });
    }
  }
  const [updated] = await tx.update(laneInstances).set(next).where(eq(laneInstances.id, row.id)).returning();
  if (updated === undefined) throw new Error(`lane instance ${row.id} vanished`);
  await appendAudit(tx, {
    actor,
    action: LANE_AUDIT.instanceChanged,
    reason: 'metadata edited',
    data: { service, version, changes },
  });
  if ('baseline' in changes) await announceLaneChange(tx);
  return { ok: true, instance: updated, changed };
}
