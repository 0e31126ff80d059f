/** The people an order names: the options that name them or override them, and who may act at each step. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/workorders/parse-command.ts';
import { planCommentOverride } from '../../src/workorders/named-options.ts';
import { checkNamedPerson } from '../../src/workorders/named-people.ts';

function commandOf(body: string): unknown {
  const parsed = parseCommand(body);
  return parsed.ok ? parsed.command : parsed;
}

function messageOf(body: string): string {
  const parsed = parseCommand(body);
  return parsed.ok || parsed.reason === 'not-a-command' ? '' : parsed.message;
}

const NAMED = { planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' };

describe('--override-named', () => {
  it('is the last option of a step command; its reason is the rest of the line', () => {
    expect(commandOf('/deploy --override-named "dave is away"')).toEqual({
      name: 'deploy',
      overrideNamed: { reason: 'dave is away' },
    });
    expect(commandOf('/deploy --override-freeze "INC-7" --override-named=dave is away')).toEqual({
      name: 'deploy',
      overrideFreeze: { reason: 'INC-7' },
      overrideNamed: { reason: 'dave is away' },
    });
    expect(commandOf('/abort disk full --override-named "dave is away"')).toEqual({
      name: 'abort',
      reason: 'disk full',
      overrideNamed: { reason: 'dave is away' },
    });
    expect(commandOf('/accept --override-named “pam is on holiday”')).toEqual({
      name: 'accept',
      overrideNamed: { reason: 'pam is on holiday' },
    });
    expect(commandOf('/rollback 2.4.0 --override-named x')).toEqual({
      name: 'rollback',
      version: '2.4.0',
      overrideNamed: { reason: 'x' },
    });
    expect(commandOf('/retry-failed --override-named x')).toEqual({
      name: 'retry-failed',
      overrideNamed: { reason: 'x' },
    });
  });

  it('needs a reason, comes last, and is no option of other commands', () => {
    expect(messageOf('/accept --override-named')).toMatch(
      /^\/accept --override-named needs a reason, which is recorded/,
    );
    expect(messageOf('/accept --override-named ""')).toMatch(/needs a reason/);
    expect(messageOf('/deploy --override-named "x" --override-freeze "y"')).toMatch(
      /^\/deploy --override-named "<reason>" must be the last option of the line/,
    );
    expect(messageOf('/deploy production --override-named "x"')).toMatch(
      /^\/deploy --override-named is for the steps of a work order, not for opening one/,
    );
    expect(messageOf('/deploy --override-nam x')).toMatch(
      /unknown option --override-nam; did you mean --override-named\?/,
    );
    // /approve and /lock take free text: the words are their text, not an option.
    expect(commandOf('/lock --override-named x')).toEqual({ name: 'lock', reason: '--override-named x' });
  });

  it('in a plan comment is a line of its own outside code blocks', () => {
    const fence = '```yaml\napp: shop\n--override-named "inside"\n```';
    expect(planCommentOverride(`--override-named "carol is away"\n\n${fence}`)).toEqual({ reason: 'carol is away' });
    expect(planCommentOverride(`${fence}\n  --override-named=after the plan`)).toEqual({ reason: 'after the plan' });
    expect(planCommentOverride(fence)).toBeUndefined();
    expect(planCommentOverride(`Plan, --override-named "mid-line"\n${fence}`)).toBeUndefined();
    expect(planCommentOverride(`--override-named\n${fence}`)).toBeUndefined();
  });
});

describe('/deploy <env> people', () => {
  it('names the plan author, deployer and acceptor, each once, as GitHub logins', () => {
    expect(commandOf('/deploy production plan-author=@carol deployer=dave ACCEPTOR=@pam')).toEqual({
      name: 'open-deployment',
      environment: 'production',
      people: { planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' },
    });
    expect(commandOf('/deploy staging')).toEqual({ name: 'open-deployment', environment: 'staging' });
    expect(messageOf('/deploy production deployer=@dave deployer=@erin')).toMatch(/^\/deploy deployer is given twice/);
    expect(messageOf('/deploy production reviewer=@dave')).toMatch(
      /^\/deploy "reviewer=@dave" is not an option \(options: plan-author=@login, deployer=@login, acceptor=@login\)/,
    );
    expect(messageOf('/deploy production deployer=@')).toMatch(/"deployer=@": deployer needs a GitHub login/);
    expect(messageOf('/deploy production deployer=@a--b')).toMatch(/deployer needs a GitHub login/);
    expect(messageOf('/deploy production deployer=@x=y')).toMatch(/deployer needs a GitHub login/);
    expect(messageOf('/deploy staging production')).toMatch(/^\/deploy takes one environment/);
  });
});

describe('checkNamedPerson', () => {
  it('lets the named person act, and anyone where nobody is named', () => {
    expect(checkNamedPerson({ name: 'deploy' }, '@Dave', NAMED, undefined)).toEqual({ ok: true });
    expect(checkNamedPerson({ name: 'accept' }, 'erin', {}, undefined)).toEqual({ ok: true });
    // Steps that name nobody: approvals, locks, status.
    expect(checkNamedPerson({ name: 'approve' }, 'erin', NAMED, undefined)).toEqual({ ok: true });
    expect(checkNamedPerson({ name: 'lock', reason: 'x' }, 'erin', NAMED, undefined)).toEqual({ ok: true });
  });

  it('refuses someone else at the step, naming the person and the override', () => {
    const refused = checkNamedPerson({ name: 'abort' }, 'erin', NAMED, undefined);
    expect(refused).toMatchObject({ ok: false, reason: 'not-named', role: 'deployer', named: 'dave' });
    expect(refused.ok ? '' : refused.message).toBe(
      'this work order names @dave as its deployer: only @dave acts at this step; another deployer may act instead ' +
        'with /abort --override-named "<reason>", which is recorded',
    );
    const plan = checkNamedPerson({ name: 'write-plan' }, 'dev', NAMED, undefined);
    expect(plan.ok ? '' : plan.message).toMatch(/names @carol as its plan author.*another developer may act instead/);
    for (const name of ['deploy', 'rollback', 'retry-failed'] as const)
      expect(checkNamedPerson({ name }, 'erin', NAMED, undefined)).toMatchObject({ ok: false, named: 'dave' });
    expect(checkNamedPerson({ name: 'accept' }, 'erin', NAMED, undefined)).toMatchObject({ ok: false, named: 'pam' });
  });

  it('lets someone else act with a reason, as a stand-in to audit', () => {
    expect(checkNamedPerson({ name: 'accept' }, 'erin', NAMED, { reason: 'pam is away' })).toEqual({
      ok: true,
      standIn: { role: 'acceptor', named: 'pam', reason: 'pam is away' },
    });
    // The named person's own override is no stand-in.
    expect(checkNamedPerson({ name: 'accept' }, 'pam', NAMED, { reason: 'me' })).toEqual({ ok: true });
  });
});
