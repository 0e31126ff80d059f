/** A throwaway PostgreSQL database for a bench run: created through the maintenance database, dropped at the end. */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** The maintenance database; override with BENCH_MAINTENANCE_URL. */
export const MAINTENANCE_URL = process.env['BENCH_MAINTENANCE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A created database. */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates `ym_bench_<random>`; `drop()` removes it even with sessions still open. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `ym_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(MAINTENANCE_URL, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(MAINTENANCE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = postgres(MAINTENANCE_URL, { max: 1, onnotice: () => undefined });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end({ timeout: 5 });
      }
    },
  };
}
