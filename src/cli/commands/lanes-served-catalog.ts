/**
 * `lanes serve` notes the catalog it runs with, so that `lanes up` / `baseline` on the same machine and database
 * start versions from the same catalog without being told again (docs/lanes.md shows `yardmaster lanes up task.yml`
 * beside a running `serve`). The note names the server's pid and is ignored once that process is gone. It is kept
 * in the user's cache dir (a catalog says which commands to start).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const noteSchema = z.object({ pid: z.number().int(), catalog: z.string() });

function notePath(cacheDir: string, databaseUrl: string): string {
  const database = createHash('sha256').update(databaseUrl).digest('hex').slice(0, 16);
  return join(cacheDir, `serve-${database}.json`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** Notes that this process serves lanes on `databaseUrl` with the catalog at `catalog` (an absolute path). */
export async function noteServedCatalog(cacheDir: string, databaseUrl: string, catalog: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  await writeFile(notePath(cacheDir, databaseUrl), `${JSON.stringify({ pid: process.pid, catalog })}\n`);
}

/** Removes this process's note (a later server's note is left alone). */
export async function forgetServedCatalog(cacheDir: string, databaseUrl: string): Promise<void> {
  if ((await readNote(cacheDir, databaseUrl))?.pid === process.pid) {
    await rm(notePath(cacheDir, databaseUrl), { force: true });
  }
}

/** The catalog a running `lanes serve` on this database uses; undefined when none runs here. */
export async function servedCatalog(cacheDir: string, databaseUrl: string): Promise<string | undefined> {
  const note = await readNote(cacheDir, databaseUrl);
  return note !== undefined && alive(note.pid) ? note.catalog : undefined;
}

async function readNote(cacheDir: string, databaseUrl: string): Promise<z.infer<typeof noteSchema> | undefined> {
  try {
    const parsed = noteSchema.safeParse(JSON.parse(await readFile(notePath(cacheDir, databaseUrl), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
