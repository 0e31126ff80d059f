import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import {
  AUDIT_HASH_FORMATS,
  auditHash,
  auditHashAs,
  auditHashFormatOf,
  GENESIS_HASH,
  type AuditHashedFields,
} from '../../src/db/audit-hash.ts';

const fields: AuditHashedFields = {
  id: 1,
  at: new Date('2026-03-04T05:06:07.089Z'),
  actor: 'octocat',
  action: 'work_order.transition',
  workOrderId: 12,
  fromState: 'planned',
  toState: 'approved',
  reason: null,
  data: { quorum: 2, approvers: ['ops-1', 'ops-2'] },
};

const plain = (prevHash: string, row: AuditHashedFields): string =>
  auditHashAs(AUDIT_HASH_FORMATS.plain, prevHash, row);
const KEY = { bytes: Buffer.from('unit-test-audit-key-0123456789abcdef') };

describe('auditHash', () => {
  it('format 1 is sha256 of the previous hash followed by the canonical JSON of the row (fixed: old rows must keep verifying)', () => {
    // Checkable without this code:
    // printf '%s' '<64 zeros>{"action":"work_order.transition","actor":"octocat","at":"2026-03-04T05:06:07.089Z",
    //   "data":{"approvers":["ops-1","ops-2"],"quorum":2},"fromState":"planned","id":1,"reason":null,"toState":"approved",
    //   "v":1,"workOrderId":12}' | sha256sum
    expect(plain(GENESIS_HASH, fields)).toBe('ad6f6e95421ea73e6474a298f2e75deea70bf8bb09750ed2fb0178da78edf38b');
  });

  it('does not depend on the key order of data (jsonb gives keys back in its own order)', () => {
    expect(plain(GENESIS_HASH, { ...fields, data: { approvers: ['ops-1', 'ops-2'], quorum: 2 } })).toBe(
      plain(GENESIS_HASH, fields),
    );
    expect(auditHash(GENESIS_HASH, { ...fields, data: { approvers: ['ops-1', 'ops-2'], quorum: 2 } }, KEY)).toBe(
      auditHash(GENESIS_HASH, fields, KEY),
    );
  });

  it('changes with the previous hash and with every field', () => {
    const base = auditHash(GENESIS_HASH, fields);
    const variants: AuditHashedFields[] = [
      { ...fields, id: 2 },
      { ...fields, at: new Date('2026-03-04T05:06:07.090Z') },
      { ...fields, actor: 'hubot' },
      { ...fields, action: 'approval.recorded' },
      { ...fields, workOrderId: null },
      { ...fields, fromState: 'requested' },
      { ...fields, toState: 'rejected' },
      { ...fields, reason: '' },
      { ...fields, data: { quorum: 3, approvers: ['ops-1', 'ops-2'] } },
    ];
    const hashes = new Set([
      base,
      auditHash('f'.repeat(64), fields),
      ...variants.map((variant) => auditHash(GENESIS_HASH, variant)),
    ]);
    expect(hashes.size).toBe(variants.length + 2);
  });
});

describe('keyed and repository formats', () => {
  const text = (v: number, repo: string | null) =>
    `{"action":"work_order.transition","actor":"octocat","at":"2026-03-04T05:06:07.089Z","data":{"approvers":["ops-1","ops-2"],"quorum":2},"fromState":"planned","id":1,"reason":null,"repo":${JSON.stringify(repo)},"toState":"approved","v":${v},"workOrderId":12}`;

  it('format 2 is sha256 with the repository in the JSON; format 3 is HMAC-SHA256 with the key over the same text', () => {
    const row = { ...fields, repo: 'acme/shop' };
    expect(auditHash(GENESIS_HASH, row)).toBe(
      createHash('sha256').update(GENESIS_HASH).update(text(2, 'acme/shop')).digest('hex'),
    );
    expect(auditHash(GENESIS_HASH, row, KEY)).toBe(
      createHmac('sha256', KEY.bytes).update(GENESIS_HASH).update(text(3, 'acme/shop')).digest('hex'),
    );
    expect(auditHash(GENESIS_HASH, fields, KEY)).toBe(
      createHmac('sha256', KEY.bytes).update(GENESIS_HASH).update(text(3, null)).digest('hex'),
    );
  });

  it('covers the repository and the key', () => {
    const hashes = new Set([
      auditHash(GENESIS_HASH, fields, KEY),
      auditHash(GENESIS_HASH, { ...fields, repo: 'acme/shop' }, KEY),
      auditHash(GENESIS_HASH, { ...fields, repo: 'acme/ledger' }, KEY),
      auditHash(GENESIS_HASH, fields, { bytes: Buffer.from('another-key-0123456789abcdef0123456') }),
      auditHash(GENESIS_HASH, fields),
    ]);
    expect(hashes.size).toBe(5);
  });

  it('tells which format a stored hash is, and never takes a plain hash for a keyed one', () => {
    const row = { ...fields, repo: 'acme/shop' };
    expect(auditHashFormatOf(auditHash(GENESIS_HASH, row, KEY), GENESIS_HASH, row, KEY)).toBe(AUDIT_HASH_FORMATS.keyed);
    expect(auditHashFormatOf(auditHash(GENESIS_HASH, row, KEY), GENESIS_HASH, row, null)).toBeNull();
    expect(auditHashFormatOf(auditHash(GENESIS_HASH, row), GENESIS_HASH, row, KEY)).toBe(
      AUDIT_HASH_FORMATS.plainWithRepo,
    );
    expect(auditHashFormatOf(plain(GENESIS_HASH, fields), GENESIS_HASH, fields, KEY)).toBe(AUDIT_HASH_FORMATS.plain);
    expect(
      auditHashFormatOf(plain(GENESIS_HASH, fields), GENESIS_HASH, { ...fields, repo: 'acme/shop' }, KEY),
    ).toBeNull();
    expect(
      auditHashFormatOf(auditHash(GENESIS_HASH, row, KEY), GENESIS_HASH, { ...row, actor: 'mallory' }, KEY),
    ).toBeNull();
  });

  it('refuses to hash a repository in format 1 or the keyed format without a key', () => {
    expect(() => plain(GENESIS_HASH, { ...fields, repo: 'acme/shop' })).toThrow(/format 1/);
    expect(() => auditHashAs(AUDIT_HASH_FORMATS.keyed, GENESIS_HASH, fields)).toThrow(/needs the audit key/);
  });
});
