import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, readTextArgument } from '../../src/workorders/command-text.ts';
import { parseCommand } from '../../src/workorders/parse-command.ts';
import type { Command } from '../../src/workorders/types.ts';

function commandOf(body: string): Command {
  const result = parseCommand(body);
  if (!result.ok) throw new Error(`expected a command from ${JSON.stringify(body)}, got ${JSON.stringify(result)}`);
  return result.command;
}

function messageOf(body: string): string {
  const result = parseCommand(body);
  if (result.ok || result.reason === 'not-a-command')
    throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('parseCommand: where a command is', () => {
  it('reads the first line, after blank lines and indentation, ignoring the rest of the comment', () => {
    expect(commandOf('/approve')).toEqual({ name: 'approve' });
    expect(commandOf('\n\n   /approve\r\nLooks good, the canary is fine.\n/reject no')).toEqual({ name: 'approve' });
    expect(commandOf('\uFEFF/status')).toEqual({ name: 'status' });
  });

  it('ignores comments that do not start with a command', () => {
    for (const body of [
      'LGTM',
      'Please /approve this',
      '> /approve',
      '```\n/approve\n```',
      '/srv/checkout-api is full',
      '',
      '/',
      '/123',
      '/approve!',
    ]) {
      expect(parseCommand(body), JSON.stringify(body)).toEqual({ ok: false, reason: 'not-a-command' });
    }
  });

  it('reads command names in any case', () => {
    expect(commandOf('/Approve')).toEqual({ name: 'approve' });
    expect(commandOf('/RETRY-FAILED')).toEqual({ name: 'retry-failed' });
  });
});

describe('parseCommand: unknown commands', () => {
  it('suggests the command that was probably meant', () => {
    expect(parseCommand('/aprove')).toEqual({
      ok: false,
      reason: 'unknown-command',
      word: 'aprove',
      suggestion: '/approve',
      message:
        '/aprove is not a Yardmaster command. Did you mean /approve? Commands: /approve, /reject, /deploy, /abort, ' +
        '/rollback, /retry-failed, /accept, /lock, /unlock, /preflight, /status.',
    });
    expect(parseCommand('/retryfailed')).toMatchObject({ suggestion: '/retry-failed' });
    expect(parseCommand('/prefligt')).toMatchObject({ suggestion: '/preflight' });
    expect(parseCommand('/preflight')).toEqual({ ok: true, command: { name: 'preflight' } });
    expect(parseCommand('/preflight now')).toMatchObject({ ok: false, reason: 'bad-arguments', usage: '/preflight' });
    expect(parseCommand('/rollbak 2.4.0')).toMatchObject({ suggestion: '/rollback' });
  });

  it('suggests nothing when nothing is close, and is not fooled by names on Object.prototype', () => {
    const far = parseCommand('/shipit');
    expect(far).toMatchObject({ ok: false, reason: 'unknown-command', word: 'shipit' });
    expect(far).not.toHaveProperty('suggestion');
    expect(parseCommand('/constructor')).toMatchObject({ ok: false, reason: 'unknown-command' });
    expect(parseCommand('/hasOwnProperty')).toMatchObject({ ok: false, reason: 'unknown-command' });
  });
});

describe('parseCommand: each command', () => {
  it('/approve and /accept take an optional comment', () => {
    expect(commandOf('/approve')).toEqual({ name: 'approve' });
    expect(commandOf('/approve canary looked healthy')).toEqual({ name: 'approve', comment: 'canary looked healthy' });
    expect(commandOf('/accept')).toEqual({ name: 'accept' });
    expect(commandOf('/accept "checkout works"')).toEqual({ name: 'accept', comment: 'checkout works' });
  });

  it('/approve binds to a digest named by its first word (7 to 64 hex digits)', () => {
    expect(commandOf('/approve 6f43897')).toEqual({ name: 'approve', digestPrefix: '6f43897' });
    expect(commandOf('/approve 6F43897248B3 canary looked healthy')).toEqual({
      name: 'approve',
      digestPrefix: '6f43897248b3',
      comment: 'canary looked healthy',
    });
    expect(commandOf(`/approve ${'a'.repeat(64)}`)).toEqual({ name: 'approve', digestPrefix: 'a'.repeat(64) });
    // Shorter, longer or not hex: an ordinary comment.
    expect(commandOf('/approve 6f4389')).toEqual({ name: 'approve', comment: '6f4389' });
    expect(commandOf(`/approve ${'a'.repeat(65)}`)).toEqual({ name: 'approve', comment: 'a'.repeat(65) });
    expect(commandOf('/approve deadbeefs')).toEqual({ name: 'approve', comment: 'deadbeefs' });
  });

  it('/reject needs a reason', () => {
    expect(commandOf('/reject batch size too large for a Friday')).toEqual({
      name: 'reject',
      reason: 'batch size too large for a Friday',
    });
    expect(commandOf('/reject “too risky”')).toEqual({ name: 'reject', reason: 'too risky' });
    expect(parseCommand('/reject')).toEqual({
      ok: false,
      reason: 'bad-arguments',
      word: 'reject',
      usage: '/reject <reason>',
      message: '/reject needs a reason. Usage: /reject <reason>',
    });
    expect(messageOf('/reject ""')).toBe('/reject needs a reason. Usage: /reject <reason>');
    expect(messageOf('/reject\nthe reason on the next line')).toBe('/reject needs a reason. Usage: /reject <reason>');
  });

  it('/deploy starts the order, optionally overriding a freeze with a recorded reason', () => {
    expect(commandOf('/deploy')).toEqual({ name: 'deploy' });
    expect(commandOf('/deploy --override-freeze "hotfix for INC-1234"')).toEqual({
      name: 'deploy',
      overrideFreeze: { reason: 'hotfix for INC-1234' },
    });
    expect(commandOf('/deploy --override-freeze=“payment outage”')).toEqual({
      name: 'deploy',
      overrideFreeze: { reason: 'payment outage' },
    });
    expect(commandOf('/deploy --override-freeze payment outage')).toEqual({
      name: 'deploy',
      overrideFreeze: { reason: 'payment outage' },
    });
    expect(messageOf('/deploy --override-freeze')).toBe(
      '/deploy --override-freeze needs a reason, which is recorded. ' +
        'Usage: /deploy [--override-freeze "<reason>"] [--override-named "<reason>"] or, on a pull request, ' +
        '/deploy <environment> [plan-author=@login] [deployer=@login] [acceptor=@login]',
    );
    expect(messageOf('/deploy --override-freeze ""')).toMatch(/^\/deploy --override-freeze needs a reason/);
  });

  it('/deploy <env> opens a deployment, and refuses what is not an environment', () => {
    expect(commandOf('/deploy staging')).toEqual({ name: 'open-deployment', environment: 'staging' });
    expect(messageOf('/deploy ../prod')).toMatch(/^\/deploy "..\/prod" is not an environment name\. Usage:/);
    expect(messageOf('/deploy staging production')).toMatch(/^\/deploy takes one environment\. Usage:/);
    expect(messageOf('/deploy staging --override-freeze "x"')).toMatch(
      /^\/deploy with an environment opens a deployment and takes no --override-freeze; once it is approved, start it with \/deploy --override-freeze "<reason>"\. Usage:/,
    );
    expect(messageOf('/deploy --overide-freeze "x"')).toMatch(
      /^\/deploy unknown option --overide-freeze; did you mean --override-freeze\?/,
    );
    expect(messageOf('/deploy --override-freezer x')).toMatch(/^\/deploy unknown option --override-freezer\./);
  });

  it('/abort takes an optional reason', () => {
    expect(commandOf('/abort')).toEqual({ name: 'abort' });
    expect(commandOf('/abort error rate is climbing')).toEqual({ name: 'abort', reason: 'error rate is climbing' });
  });

  it('/rollback takes an optional version, checked like a plan version', () => {
    expect(commandOf('/rollback')).toEqual({ name: 'rollback' });
    expect(commandOf('/rollback 2.4.0')).toEqual({ name: 'rollback', version: '2.4.0' });
    expect(commandOf('/rollback v2.4.0-rc_1')).toEqual({ name: 'rollback', version: 'v2.4.0-rc_1' });
    expect(messageOf('/rollback ../../etc')).toBe(
      "/rollback \"../../etc\": expected a version of 1 to 64 letters, digits, '.', '_' or '-', like 2.4.1. Usage: /rollback [version] [--override-named \"<reason>\"]",
    );
    expect(messageOf('/rollback ..')).toMatch(/^\/rollback "\.\.": a version cannot be "\." or "\.\."/);
    expect(messageOf(`/rollback ${'9'.repeat(65)}`)).toMatch(/expected a version of 1 to 64/);
    expect(messageOf('/rollback 2.4.0 2.3.9')).toBe(
      '/rollback takes at most one version. Usage: /rollback [version] [--override-named "<reason>"]',
    );
  });

  it('/retry-failed, /unlock and /status take no arguments', () => {
    expect(commandOf('/retry-failed')).toEqual({ name: 'retry-failed' });
    expect(commandOf('/unlock')).toEqual({ name: 'unlock' });
    expect(commandOf('/status  ')).toEqual({ name: 'status' });
    expect(messageOf('/retry-failed web-2')).toBe(
      '/retry-failed takes no arguments. Usage: /retry-failed [--override-named "<reason>"]',
    );
    expect(messageOf('/unlock now')).toBe('/unlock takes no arguments. Usage: /unlock');
    expect(messageOf('/status please')).toBe('/status takes no arguments. Usage: /status');
  });

  it('/lock needs a reason', () => {
    expect(commandOf("/lock 'database migration until 14:00'")).toEqual({
      name: 'lock',
      reason: 'database migration until 14:00',
    });
    expect(messageOf('/lock')).toBe('/lock needs a reason. Usage: /lock <reason>');
  });

  it('refuses reasons that are too long or carry control characters, without throwing', () => {
    expect(messageOf(`/reject ${'x'.repeat(MAX_TEXT_LENGTH + 1)}`)).toBe(
      `/reject the text is ${MAX_TEXT_LENGTH + 1} characters long; at most ${MAX_TEXT_LENGTH} are kept. Usage: /reject <reason>`,
    );
    expect(commandOf(`/reject ${'x'.repeat(MAX_TEXT_LENGTH)}`)).toMatchObject({ name: 'reject' });
    expect(messageOf('/lock bad\u0000byte')).toMatch(/^\/lock the text must not contain control characters/);
  });
});

describe('readTextArgument', () => {
  it('drops one pair of surrounding quotes and keeps the others', () => {
    expect(readTextArgument('  "too risky"  ')).toEqual({ ok: true, text: 'too risky' });
    expect(readTextArgument('"v2" is broken')).toEqual({ ok: true, text: '"v2" is broken' });
    expect(readTextArgument('“mixed quotes"')).toEqual({ ok: true, text: 'mixed quotes' });
    expect(readTextArgument("it's 'fine'")).toEqual({ ok: true, text: "it's 'fine'" });
    expect(readTextArgument('"')).toEqual({ ok: true, text: '"' });
    expect(readTextArgument('a\tb')).toEqual({ ok: true, text: 'a b' });
  });
});
