/** A throwaway PostgreSQL database for a bench run: created through the maintenance database, dropped at the end. */
import { createTestPostgres, type TestPostgres } from '../test/helpers/database.ts';

/** The maintenance database; override with BENCH_MAINTENANCE_URL. */
export const MAINTENANCE_URL = process.env.BENCH_MAINTENANCE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A created database. */
export type BenchDatabase = TestPostgres;

/** Creates `ym_bench_<random>`; `drop()` removes it even with sessions still open. */
export function createBenchDatabase(): Promise<BenchDatabase> {
  return createTestPostgres({ maintenanceUrl: MAINTENANCE_URL, prefix: 'ym_bench_' });
}
