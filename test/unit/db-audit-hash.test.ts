import { describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH, type AuditHashedFields } from '../../src/db/audit-hash.ts';

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

describe('auditHash', () => {
  it('is sha256 of the previous hash followed by the canonical JSON of the row (a fixed format: old rows must keep verifying)', () => {
    // Checkable without this code:
    // printf '%s' '<64 zeros>{"action":"work_order.transition","actor":"octocat","at":"2026-03-04T05:06:07.089Z",
    //   "data":{"approvers":["ops-1","ops-2"],"quorum":2},"fromState":"planned","id":1,"reason":null,"toState":"approved",
    //   "v":1,"workOrderId":12}' | sha256sum
    expect(auditHash(GENESIS_HASH, fields)).toBe('ad6f6e95421ea73e6474a298f2e75deea70bf8bb09750ed2fb0178da78edf38b');
  });

  it('does not depend on the key order of data (jsonb gives keys back in its own order)', () => {
    expect(auditHash(GENESIS_HASH, { ...fields, data: { approvers: ['ops-1', 'ops-2'], quorum: 2 } })).toBe(auditHash(GENESIS_HASH, fields));
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
    const hashes = new Set([base, auditHash('f'.repeat(64), fields), ...variants.map((variant) => auditHash(GENESIS_HASH, variant))]);
    expect(hashes.size).toBe(variants.length + 2);
  });
});
