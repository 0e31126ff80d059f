/** The hash that chains audit rows: pure, so verification needs nothing but the rows. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../plan/canonical-json.ts';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped if the hashed form ever changes, so old and new rows stay verifiable side by side. */
const HASH_FORMAT = 1;

/** The fields of an audit row that its hash covers: all of them but the hashes themselves. */
export interface AuditHashedFields {
  id: number;
  at: Date;
  actor: string;
  action: string;
  workOrderId: number | null;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  data: unknown;
}

/**
 * sha256(prevHash + canonical JSON of the row's fields), hex. The id is covered so a row cannot be moved, and
 * canonical JSON (sorted keys, ISO dates) makes the text independent of how jsonb reorders keys on the way back.
 */
export function auditHash(prevHash: string, fields: AuditHashedFields): string {
  const payload = canonicalJson({
    v: HASH_FORMAT,
    id: fields.id,
    at: fields.at,
    actor: fields.actor,
    action: fields.action,
    workOrderId: fields.workOrderId,
    fromState: fields.fromState,
    toState: fields.toState,
    reason: fields.reason,
    data: fields.data,
  });
  return createHash('sha256').update(prevHash).update(payload).digest('hex');
}
