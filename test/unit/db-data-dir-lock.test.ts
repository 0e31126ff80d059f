import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/db/data-dir-lock.ts';

function ownerText(pid: number, host = hostname()): string {
  return `${JSON.stringify({ pid, hostname: host, since: '2026-01-01T00:00:00.000Z' })}\n`;
}

/** The pid of a process that has exited (its pid is free again). */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => {
      if (child.pid === undefined) reject(new Error('no pid'));
      else resolve(child.pid);
    });
  });
}

describe('lockDataDir', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ym-lock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the lock, refuses a second taker in the same process, and frees it on release', async () => {
    const dataDir = join(dir, 'a');
    const lock = await lockDataDir(dataDir);
    expect(JSON.parse(await readFile(`${dataDir}.lock`, 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
    });
    await expect(lockDataDir(dataDir)).rejects.toBeInstanceOf(DataDirInUseError);
    await lock.release();
    const again = await lockDataDir(dataDir);
    await again.release();
  });

  it('refuses a lock held by another live process', async () => {
    const dataDir = join(dir, 'b');
    const child = spawn('sleep', ['60']);
    try {
      if (child.pid === undefined) throw new Error('no pid');
      await writeFile(`${dataDir}.lock`, ownerText(child.pid));
      await expect(lockDataDir(dataDir)).rejects.toThrow(`in use by process ${child.pid} on ${hostname()}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a lock held from another host, whose processes it cannot see', async () => {
    const dataDir = join(dir, 'c');
    await writeFile(`${dataDir}.lock`, ownerText(await deadPid(), 'elsewhere.example'));
    await expect(lockDataDir(dataDir)).rejects.toBeInstanceOf(DataDirInUseError);
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = join(dir, 'd');
    await writeFile(`${dataDir}.lock`, ownerText(await deadPid()));
    const lock = await lockDataDir(dataDir);
    expect(JSON.parse(await readFile(`${dataDir}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('does not remove a lock that is no longer its own', async () => {
    const dataDir = join(dir, 'e');
    const lock = await lockDataDir(dataDir);
    await writeFile(`${dataDir}.lock`, ownerText(1));
    await lock.release();
    expect(await readFile(`${dataDir}.lock`, 'utf8')).toBe(ownerText(1));
  });
});
