/** The local user's name, for `cli:<user>` audit rows and the local dashboard's sign-in. */
import { userInfo } from 'node:os';
import type { CliIo } from './cli-io.ts';

/** USER (or USERNAME), else the account's name. */
export function localUser(env: CliIo['env']): string {
  const fromEnv = env.USER ?? env.USERNAME;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
}
