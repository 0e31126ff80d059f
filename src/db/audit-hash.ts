/**
 * The hash that chains audit rows: pure, so verification needs nothing but the rows (and, for keyed rows, the key).
 *
 * Three formats live side by side, told apart by the `v` inside the hashed JSON:
 * - 1: sha256, without the row's repository (rows written before the repository column existed);
 * - 2: sha256, with the repository (a server without an audit key);
 * - 3: HMAC-SHA256 with the server's audit key, with the repository. A database writer without the key cannot
 *   recompute it, so a rewritten row breaks the chain even if every later hash is recomputed.
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash formats, oldest first; see the file comment. */
export const AUDIT_HASH_FORMATS = { plain: 1, plainWithRepo: 2, keyed: 3 } as const;
export type AuditHashFormat = (typeof AUDIT_HASH_FORMATS)[keyof typeof AUDIT_HASH_FORMATS];

/** The server's audit key (raw bytes); see audit-key.ts for where it comes from. */
export interface AuditKey {
  bytes: Uint8Array;
}

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
  /** The repository the row concerns (owner/name); null for operator actions and old rows. */
  repo?: string | null;
}

function payload(format: AuditHashFormat, fields: AuditHashedFields): string {
  return canonicalJson({
    v: format,
    id: fields.id,
    at: fields.at,
    actor: fields.actor,
    action: fields.action,
    workOrderId: fields.workOrderId,
    fromState: fields.fromState,
    toState: fields.toState,
    reason: fields.reason,
    data: fields.data,
    // Format 1 predates the column: leaving the key out keeps old rows' text (and hashes) exactly as they were.
    ...(format === AUDIT_HASH_FORMATS.plain ? {} : { repo: fields.repo ?? null }),
  });
}

/**
 * The hash of a row in `format`, hex: `sha256(prevHash ‖ canonical JSON)` for the plain formats,
 * `HMAC-SHA256(key, prevHash ‖ canonical JSON)` for the keyed one. The id is covered so a row cannot be moved, and
 * canonical JSON (sorted keys, ISO dates) makes the text independent of how jsonb reorders keys on the way back.
 *
 * @throws Error for the keyed format without a key, or the first format for a row with a repository (it cannot
 *   cover it).
 */
export function auditHashAs(
  format: AuditHashFormat,
  prevHash: string,
  fields: AuditHashedFields,
  key: AuditKey | null = null,
): string {
  if (format === AUDIT_HASH_FORMATS.plain && (fields.repo ?? null) !== null)
    throw new Error('hash format 1 cannot cover a repository');
  const text = payload(format, fields);
  if (format !== AUDIT_HASH_FORMATS.keyed) return createHash('sha256').update(prevHash).update(text).digest('hex');
  if (key === null) throw new Error('the keyed audit hash needs the audit key');
  return createHmac('sha256', key.bytes).update(prevHash).update(text).digest('hex');
}

/** The hash a new row gets: keyed when the process has an audit key, else plain with the repository. */
export function auditHash(prevHash: string, fields: AuditHashedFields, key: AuditKey | null = null): string {
  return auditHashAs(key === null ? AUDIT_HASH_FORMATS.plainWithRepo : AUDIT_HASH_FORMATS.keyed, prevHash, fields, key);
}

/**
 * Which format `hash` is, if any: the keyed one first (when a key is given), then the plain ones. Null when the
 * row matches none: changed after it was written, or keyed with a key not given.
 */
export function auditHashFormatOf(
  hash: string,
  prevHash: string,
  fields: AuditHashedFields,
  key: AuditKey | null,
): AuditHashFormat | null {
  if (key !== null && auditHashAs(AUDIT_HASH_FORMATS.keyed, prevHash, fields, key) === hash)
    return AUDIT_HASH_FORMATS.keyed;
  if (auditHashAs(AUDIT_HASH_FORMATS.plainWithRepo, prevHash, fields) === hash) return AUDIT_HASH_FORMATS.plainWithRepo;
  if ((fields.repo ?? null) === null && auditHashAs(AUDIT_HASH_FORMATS.plain, prevHash, fields) === hash)
    return AUDIT_HASH_FORMATS.plain;
  return null;
}
