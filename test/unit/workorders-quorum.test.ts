import { describe, expect, it } from 'vitest';
import { evaluateQuorum, type QuorumInput } from '../../src/workorders/quorum.ts';
import { holdersAmong, type TeamMembership } from '../../src/workorders/roles.ts';
import { reviewVerdict } from '../../src/workorders/review-verdict.ts';
import type { ApprovalRecord, ApprovalSource, ApprovalVerdict } from '../../src/workorders/types.ts';

const CURRENT = 'a'.repeat(64);
const OLD = 'b'.repeat(64);
const APPROVERS = new Set(['carol', 'dave', 'erin', 'hubot']);

let clock = Date.parse('2026-11-23T09:00:00Z');
function verdict(
  actor: string,
  said: ApprovalVerdict,
  options: { source?: ApprovalSource; digest?: string } = {},
): ApprovalRecord {
  clock += 60_000;
  return {
    actor,
    source: options.source ?? 'github',
    digest: options.digest ?? CURRENT,
    verdict: said,
    at: new Date(clock),
  };
}

function quorum(approvals: ApprovalRecord[], overrides: Partial<QuorumInput> = {}) {
  return evaluateQuorum({
    approvals,
    digest: CURRENT,
    planAuthor: 'hubot',
    required: 2,
    isApprover: (login) => APPROVERS.has(login),
    ...overrides,
  });
}

describe('evaluateQuorum', () => {
  it('is met with two approvals by approvers for the current digest', () => {
    expect(quorum([verdict('carol', 'approved'), verdict('dave', 'approved', { source: 'slack' })])).toEqual({
      met: true,
      counted: ['carol', 'dave'],
      needed: 2,
      missing: 0,
      ignored: [],
    });
  });

  it('never counts the plan author, even when the author is an approver (four eyes)', () => {
    const result = quorum([verdict('Hubot', 'approved'), verdict('carol', 'approved')]);
    expect(result).toMatchObject({
      met: false,
      counted: ['carol'],
      missing: 1,
      ignored: [{ actor: 'Hubot', reason: 'author' }],
    });
  });

  it('counts the same person once across GitHub and Slack, whatever the case of the login', () => {
    const result = quorum([verdict('carol', 'approved'), verdict('Carol', 'approved', { source: 'slack' })]);
    expect(result).toMatchObject({ met: false, counted: ['Carol'], missing: 1, ignored: [] });
  });

  it('lets CHANGES_REQUESTED after APPROVED revoke the approval', () => {
    const approvals = [
      verdict('carol', 'approved'),
      verdict('dave', 'approved'),
      verdict('carol', reviewVerdict('CHANGES_REQUESTED') ?? 'approved'),
    ];
    expect(quorum(approvals)).toMatchObject({
      met: false,
      counted: ['dave'],
      missing: 1,
      ignored: [{ actor: 'carol', reason: 'revoked' }],
    });
  });

  it('counts an approval again after a revoke when the person approves anew', () => {
    const approvals = [
      verdict('carol', 'approved'),
      verdict('carol', 'revoked'),
      verdict('carol', 'approved', { source: 'slack' }),
    ];
    expect(quorum(approvals, { required: 1 })).toMatchObject({ met: true, counted: ['carol'] });
  });

  it('ignores approvals of an older digest (the plan was edited or a commit pushed)', () => {
    const result = quorum([verdict('carol', 'approved', { digest: OLD }), verdict('dave', 'approved')]);
    expect(result).toMatchObject({
      met: false,
      counted: ['dave'],
      ignored: [{ actor: 'carol', reason: 'stale-digest' }],
    });
  });

  it('takes the latest verdict by time, not by the order the records arrive in', () => {
    const later = verdict('carol', 'revoked');
    const earlier = { ...verdict('carol', 'approved'), at: new Date(later.at.getTime() - 1000) };
    expect(quorum([later, earlier], { required: 1 })).toMatchObject({
      met: false,
      ignored: [{ actor: 'carol', reason: 'revoked' }],
    });
  });

  it('ignores people who are not approvers', () => {
    const result = quorum([verdict('mallory', 'approved'), verdict('carol', 'approved'), verdict('dave', 'approved')]);
    expect(result).toMatchObject({
      met: true,
      counted: ['carol', 'dave'],
      ignored: [{ actor: 'mallory', reason: 'not-an-approver' }],
    });
  });

  it('is stopped by a current rejection from an approver, whatever the approvals', () => {
    const result = quorum([verdict('carol', 'approved'), verdict('dave', 'approved'), verdict('erin', 'rejected')]);
    expect(result).toEqual({
      met: false,
      counted: ['carol', 'dave'],
      needed: 2,
      missing: 0,
      ignored: [],
      rejectedBy: 'erin',
    });
  });

  it('names the first rejecter, and ignores rejections of an old digest or by non-approvers', () => {
    expect(quorum([verdict('dave', 'rejected'), verdict('erin', 'rejected')]).rejectedBy).toBe('dave');
    const ignored = quorum([verdict('erin', 'rejected', { digest: OLD }), verdict('mallory', 'rejected')]);
    expect(ignored).not.toHaveProperty('rejectedBy');
    expect(ignored.ignored.map((entry) => entry.reason)).toEqual(['stale-digest', 'not-an-approver']);
  });

  it('lets an author who is an approver reject their own plan', () => {
    expect(quorum([verdict('hubot', 'rejected')]).rejectedBy).toBe('hubot');
  });

  it('needs nobody when approvals is 0', () => {
    expect(quorum([], { required: 0 })).toEqual({ met: true, counted: [], needed: 0, missing: 0, ignored: [] });
    expect(quorum([verdict('carol', 'rejected')], { required: 0 })).toMatchObject({ met: false, rejectedBy: 'carol' });
  });

  it('works with approvers resolved through team membership', async () => {
    const teams: TeamMembership = {
      isMember: (_org, slug, login) => Promise.resolve(slug === 'ops' && login === 'carol'),
    };
    const approvals = [verdict('Carol', 'approved'), verdict('mallory', 'approved')];
    const holders = await holdersAmong(
      ['team:ops'],
      approvals.map((record) => record.actor),
      'acme',
      teams,
    );
    const result = quorum(approvals, { required: 1, isApprover: (login) => holders.has(login) });
    expect(result).toMatchObject({
      met: true,
      counted: ['Carol'],
      ignored: [{ actor: 'mallory', reason: 'not-an-approver' }],
    });
  });
});

describe('reviewVerdict', () => {
  it('maps review states in either spelling, leaving comments out', () => {
    expect(reviewVerdict('APPROVED')).toBe('approved');
    expect(reviewVerdict('approved')).toBe('approved');
    expect(reviewVerdict('changes_requested')).toBe('revoked');
    expect(reviewVerdict('DISMISSED')).toBe('revoked');
    expect(reviewVerdict('commented')).toBeUndefined();
    expect(reviewVerdict('PENDING')).toBeUndefined();
  });
});
