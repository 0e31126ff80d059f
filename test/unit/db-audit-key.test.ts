/** Where the audit key comes from: the variable, the embedded data directory's key file, or nowhere. */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_KEY_FILE, resolveAuditKey } from '../../src/db/audit-key.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ym-audit-key-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveAuditKey', () => {
  it('takes YARDMASTER_AUDIT_KEY first, and refuses a short one', async () => {
    const key = 'k'.repeat(32);
    expect(await resolveAuditKey({ YARDMASTER_AUDIT_KEY: key }, { kind: 'postgres' }, { createFile: true })).toEqual({
      ok: true,
      key: { bytes: Buffer.from(key) },
      source: 'variable',
    });

    expect(
      await resolveAuditKey({ YARDMASTER_AUDIT_KEY: 'short' }, { kind: 'pglite', dataDir: dir }, { createFile: true }),
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    ).toMatchObject({ ok: false, problem: expect.stringMatching(/at least 32 characters/) });
  });

  it('has no key on PostgreSQL without the variable, nor on the in-memory database', async () => {
    expect(await resolveAuditKey({ YARDMASTER_AUDIT_KEY: '' }, { kind: 'postgres' }, { createFile: true })).toEqual({
      ok: true,
      key: null,
      source: 'none',
    });
    expect(await resolveAuditKey({}, { kind: 'pglite', dataDir: 'memory://' }, { createFile: true })).toEqual({
      ok: true,
      key: null,
      source: 'none',
    });
  });

  it('makes a key file in the data directory once (mode 0600) and reads it back; verify only reads', async () => {
    const dataDir = join(dir, 'pglite');
    await mkdir(dataDir);
    expect(await resolveAuditKey({}, { kind: 'pglite', dataDir }, { createFile: false })).toEqual({
      ok: true,
      key: null,
      source: 'none',
    });
    const made = await resolveAuditKey({}, { kind: 'pglite', dataDir }, { createFile: true });
    const file = join(dataDir, AUDIT_KEY_FILE);
    expect(made).toMatchObject({ ok: true, source: 'data-dir-file', file });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toHaveLength(43);
    const again = await resolveAuditKey({}, { kind: 'pglite', dataDir }, { createFile: true });
    expect(again).toEqual(made);
    await writeFile(file, 'too-short\n');

    expect(await resolveAuditKey({}, { kind: 'pglite', dataDir }, { createFile: false })).toMatchObject({
      ok: false,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      problem: expect.stringMatching(/shorter than 32/),
    });
  });
});
