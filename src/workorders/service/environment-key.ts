/** Which environment lock (and which waiting line): the repo, app and environment. */
import { and, eq, type SQL } from 'drizzle-orm';
import { environmentLocks } from '../../db/index.ts';

export interface EnvironmentKey {
  repoFullName: string;
  app: string;
  environment: string;
}

/** The condition selecting the lock row of `key`. */
export function lockKeyIs(key: EnvironmentKey): SQL | undefined {
  return and(
    eq(environmentLocks.repoFullName, key.repoFullName),
    eq(environmentLocks.app, key.app),
    eq(environmentLocks.environment, key.environment),
  );
}
