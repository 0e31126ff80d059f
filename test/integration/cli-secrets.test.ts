/**
 * `yardmaster secrets set|list|delete` on PostgreSQL (src/cli/commands/secrets-command.ts): values from stdin,
 * sealed in `secrets`, listed without values, deleted, each change audited without the value; and the store as the
 * server reads it (wrong key, a row moved to another repository).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsCommand } from '../../src/cli/commands/secrets-command.ts';
import { verifyAuditChain } from '../../src/db/audit-log.ts';
import { auditLog, secrets } from '../../src/db/schema.ts';
import { missingSecretIssues, parseSecretsKey, storeSecretSource, type SecretsKey } from '../../src/policy/index.ts';
import { captureIo } from '../helpers/cli-capture.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));
const KEY_TEXT = randomBytes(32).toString('hex');
const AUDIT_KEY_TEXT = randomBytes(32).toString('base64url');
const OTHER_KEY_TEXT = randomBytes(32).toString('base64');

let test: TestDatabase;
let url: string;
let key: SecretsKey;

function parsedKey(text: string): SecretsKey {
  const parsed = parseSecretsKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  if (test.url === null) throw new Error('no url');
  url = test.url;
  key = parsedKey(KEY_TEXT);
});

afterAll(async () => {
  await test?.cleanup();
});

/** Runs the command in-process with `stdin` as what the operator pipes in. */
async function run(
  args: string[],
  stdin?: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; prompts: string[] }> {
  const captured = captureIo(tmpdir(), {
    DATABASE_URL: url,
    YARDMASTER_SECRETS_KEY: KEY_TEXT,
    YARDMASTER_AUDIT_KEY: AUDIT_KEY_TEXT,
    USER: 'opal',
    ...env,
  });
  const prompts: string[] = [];
  const io =
    stdin === undefined
      ? captured.io
      : {
          ...captured.io,
          readSecret: (prompt: string, maxBytes: number) => {
            prompts.push(prompt);
            const bytes = Buffer.from(stdin);
            return Promise.resolve(bytes.length > maxBytes ? ('too-large' as const) : bytes);
          },
        };
  const code = await secretsCommand(args, io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr(), prompts };
}

describe('yardmaster secrets', () => {
  it('set seals the value from stdin, prints no value, and audits the change without it', async () => {
    const value = `db-password-${randomBytes(8).toString('hex')}`;
    const first = await run(['set', '--repo', 'Acme/Shop', '--env', 'production', 'DB_PASSWORD'], `${value}\n`);
    expect(first).toMatchObject({
      code: 0,
      stdout: 'added secret DB_PASSWORD of Acme/Shop (production)\n',
      stderr: '',
    });
    expect(first.prompts).toEqual(['value of DB_PASSWORD for Acme/Shop (production), input hidden: ']);
    const again = await run(['set', '--repo', 'acme/shop', '--env', 'production', 'DB_PASSWORD'], value);
    expect(again).toMatchObject({ code: 0, stdout: 'replaced secret DB_PASSWORD of acme/shop (production)\n' });

    const rows = await test.database.db.select().from(secrets);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      repoFullName: 'acme/shop',
      environment: 'production',
      name: 'DB_PASSWORD',
      keyId: key.id,
      setBy: 'cli:opal',
    });
    expect(rows[0]?.sealed).toMatch(/^v1\./);
    expect(JSON.stringify(rows)).not.toContain(value);
    const audit = await test.database.db.select().from(auditLog);
    expect(audit.map((row) => row.action)).toEqual(['secret.set', 'secret.set']);
    expect(audit[0]).toMatchObject({
      actor: 'cli:opal',
      reason: 'added secret DB_PASSWORD of acme/shop (production)',
      data: { repo: 'acme/shop', environment: 'production', name: 'DB_PASSWORD', keyId: key.id },
    });
    expect(JSON.stringify(audit)).not.toContain(value);
    // Keyed like the server's rows: the chain verifies with the audit key and has no plain rows.
    expect(
      await verifyAuditChain(test.database.db, { key: { bytes: Buffer.from(AUDIT_KEY_TEXT) }, heads: [] }),
    ).toMatchObject({ ok: true, unkeyedRows: 0 });

    const source = storeSecretSource(test.database.db, key);
    expect(await source.read('ACME/shop', 'production', ['DB_PASSWORD'])).toEqual({
      ok: true,
      values: { DB_PASSWORD: value },
    });
  });

  it('list shows names and when each was set, never values; --json too', async () => {
    await run(['set', '--repo', 'acme/shop', '--env', 'staging', 'API_TOKEN'], 'tok-staging-value');
    await run(['set', '--repo', 'acme/other', '--env', 'staging', 'API_TOKEN'], 'tok-other-value');
    const all = await run(['list', '--repo', 'acme/shop']);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toMatch(/^ENVIRONMENT\s+NAME\s+SET AT\s+SET BY$/);
    expect(all.stdout).toMatch(/^production\s+DB_PASSWORD\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\s+cli:opal$/m);
    expect(all.stdout).toMatch(/^staging\s+API_TOKEN\s+/m);
    expect(all.stdout).not.toMatch(/tok-|db-password/);
    const staging = await run(['list', '--repo', 'acme/shop', '--env', 'staging', '--json']);
    const listed: unknown = JSON.parse(staging.stdout);

    expect(listed).toEqual([
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      { environment: 'staging', name: 'API_TOKEN', set_at: expect.stringMatching(/Z$/), set_by: 'cli:opal' },
    ]);
    expect((await run(['list', '--repo', 'acme/none'])).stdout).toBe('no secrets for acme/none\n');
  });

  it('delete removes one secret (exit 1 when there is none), and is audited', async () => {
    const deleted = await run(['delete', '--repo', 'acme/shop', '--env', 'staging', 'API_TOKEN']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'deleted secret API_TOKEN of acme/shop (staging)\n' });
    const missing = await run(['delete', '--repo', 'acme/shop', '--env', 'staging', 'API_TOKEN']);
    expect(missing).toMatchObject({ code: 1, stderr: 'no secret API_TOKEN for acme/shop (staging)\n' });
    expect((await run(['list', '--repo', 'acme/shop', '--env', 'staging'])).stdout).toBe(
      'no secrets for acme/shop (staging)\n',
    );
    const [last] = await test.database.db.select().from(auditLog).orderBy(sql`id desc`).limit(1);
    expect(last).toMatchObject({
      action: 'secret.deleted',
      actor: 'cli:opal',
      data: { repo: 'acme/shop', environment: 'staging', name: 'API_TOKEN' },
    });
    expect(await storeSecretSource(test.database.db, key).read('acme/shop', 'staging', ['API_TOKEN'])).toEqual({
      ok: false,
      reason: 'missing',
      missing: ['API_TOKEN'],
    });
  });

  it('refuses bad input with exit 2 and stores nothing: names, sizes, a value on the command line, no key, a bad key', async () => {
    const before = (await test.database.db.select().from(secrets)).length;
    const cases: [string[], string | undefined, Record<string, string>, RegExp][] = [
      [['set', '--repo', 'acme/shop', '--env', 'production', 'bad-name'], 'v', {}, /NAME: expected a variable name/],
      [['set', '--repo', 'acme/shop', '--env', 'production', 'YM_APP'], 'v', {}, /reserved for Yardmaster/],
      [['set', '--repo', 'acme', '--env', 'production', 'A'], 'v', {}, /--repo: expected a repository as owner\/name/],
      [['set', '--repo', 'acme/shop', 'A'], 'v', {}, /--env <environment> is required for set/],
      [
        ['set', '--repo', 'acme/shop', '--env', 'production', 'A', 'hunter2'],
        'v',
        {},
        /exactly one NAME \(the value is read from stdin, never from the command line\)/,
      ],
      [['set', '--repo', 'acme/shop', '--env', 'production', 'A'], '', {}, /empty/],
      [
        ['set', '--repo', 'acme/shop', '--env', 'production', 'A'],
        'x'.repeat(64 * 1024 + 10),
        {},
        /larger than 65536 bytes/,
      ],
      [
        ['set', '--repo', 'acme/shop', '--env', 'production', 'A'],
        'v',
        { YARDMASTER_SECRETS_KEY: '' },
        /YARDMASTER_SECRETS_KEY is not set/,
      ],
      [
        ['set', '--repo', 'acme/shop', '--env', 'production', 'A'],
        'v',
        { YARDMASTER_SECRETS_KEY: 'letmein' },
        /32 random bytes/,
      ],
      [['set', '--repo', 'acme/shop', '--env', 'production', 'A'], undefined, {}, /no standard input/],
      [['rotate', '--repo', 'acme/shop'], undefined, {}, /set, list or delete/],
      [['list'], undefined, {}, /--repo owner\/name is required/],
      [['list', '--repo', 'acme/shop', '--value'], undefined, {}, /^yardmaster secrets: unknown option --value\n/],
    ];
    for (const [args, stdin, env, message] of cases) {
      const result = await run(args, stdin, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('letmein');
    }
    expect((await test.database.db.select().from(secrets)).length).toBe(before);
  });

  it('reads a piped value through the real command, and never echoes it', async () => {
    const value = `piped-${randomBytes(8).toString('hex')}`;
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [BIN, 'secrets', 'set', '--repo', 'acme/shop', '--env', 'production', 'PIPED'],
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: tmpdir(),
            USER: 'opal',
            DATABASE_URL: url,
            YARDMASTER_SECRETS_KEY: KEY_TEXT,
            YARDMASTER_AUDIT_KEY: AUDIT_KEY_TEXT,
          },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => void (out += chunk.toString()));
      child.on('close', (code) => {
        resolve({ code, out });
      });
      child.stdin.end(`${value}\n`);
    });
    expect(result.out).not.toContain(value);
    expect(result).toMatchObject({ code: 0, out: 'added secret PIPED of acme/shop (production)\n' });
    expect(await storeSecretSource(test.database.db, key).read('acme/shop', 'production', ['PIPED'])).toEqual({
      ok: true,
      values: { PIPED: value },
    });
  }, 60_000);
});

describe('the store as the server reads it', () => {
  it('opens nothing without the key, or with another key', async () => {
    expect(
      await storeSecretSource(test.database.db, undefined).read('acme/shop', 'production', ['DB_PASSWORD']),
    ).toMatchObject({ ok: false, reason: 'no-key' });
    expect(
      await storeSecretSource(test.database.db, parsedKey(OTHER_KEY_TEXT)).read('acme/shop', 'production', [
        'DB_PASSWORD',
      ]),
    ).toEqual({
      ok: false,
      reason: 'unreadable',
      names: ['DB_PASSWORD'],
    });
    // No names needs no key: environments without secrets run without a store.
    expect(await storeSecretSource(test.database.db, undefined).read('acme/shop', 'production', [])).toEqual({
      ok: true,
      values: {},
    });
  });

  it('does not open a sealed row that a database writer moved to another repository or name', async () => {
    await run(['set', '--repo', 'victim/app', '--env', 'production', 'DB_PASSWORD'], 'victim-password');
    await test.database.db.execute(sql`insert into secrets (repo_full_name, environment, name, sealed, key_id, set_by)
      select 'mallory/app', environment, name, sealed, key_id, 'mallory' from secrets where repo_full_name = 'victim/app'`);
    await test.database.db.execute(sql`insert into secrets (repo_full_name, environment, name, sealed, key_id, set_by)
      select repo_full_name, environment, 'LEAKED', sealed, key_id, 'mallory' from secrets where repo_full_name = 'victim/app'`);
    const source = storeSecretSource(test.database.db, key);
    expect(await source.read('victim/app', 'production', ['DB_PASSWORD'])).toEqual({
      ok: true,
      values: { DB_PASSWORD: 'victim-password' },
    });
    expect(await source.read('mallory/app', 'production', ['DB_PASSWORD'])).toEqual({
      ok: false,
      reason: 'unreadable',
      names: ['DB_PASSWORD'],
    });
    expect(await source.read('victim/app', 'production', ['LEAKED'])).toEqual({
      ok: false,
      reason: 'unreadable',
      names: ['LEAKED'],
    });
  });

  it('names, at plan submission, each secret of the environment the store lacks, with its config field', async () => {
    await run(['set', '--repo', 'acme/web', '--env', 'production', 'HOOK_KEY'], 'hook-key');
    const environment = {
      secretEnv: ['DB_PASSWORD', 'HOOK_KEY'],
      notify: {
        events: [],
        slack: [],
        email: [],
        webhooks: [
          { url: 'https://h.example.com/', secretEnv: 'HOOK_KEY' },
          { url: 'https://i.example.com/', secretEnv: 'OTHER_KEY' },
        ],
      },
    };
    const missing = await missingSecretIssues(test.database.db, 'Acme/Web', 'web', 'production', environment);
    expect(missing.names).toEqual(['DB_PASSWORD', 'OTHER_KEY']);
    expect(missing.issues).toEqual([
      {
        line: 0,
        column: 0,
        path: '.github/yardmaster.yml apps.web.environments.production.secret_env[0]',
        message:
          "secret DB_PASSWORD is not in Yardmaster's secret store for Acme/Web (production); secrets never come from the server's own environment; " +
          'an operator adds it with: yardmaster secrets set --repo Acme/Web --env production DB_PASSWORD',
      },
      expect.objectContaining({
        path: '.github/yardmaster.yml apps.web.environments.production.notify.webhooks[1].secret_env',
      }),
    ]);
    // Another environment of the same repository holds nothing.
    expect(
      (await missingSecretIssues(test.database.db, 'acme/web', 'staging', 'staging', { secretEnv: ['HOOK_KEY'] }))
        .names,
    ).toEqual(['HOOK_KEY']);
  });

  it('refuses a repository name that is not lower case in the table', async () => {
    await expect(
      test.database.db.execute(
        sql`insert into secrets (repo_full_name, environment, name, sealed, key_id, set_by) values ('Acme/Shop', 'x', 'A', 'v1', 'k', 'me')`,
      ),
    ).rejects.toThrow();
  });
});
