/** The plain login user for sshd tests: never root (root's shell start-up is not what a deploy host runs). */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Name of the user created for tests when they run as root. */
export const TEST_USER_NAME = 'ymdeploy';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

async function lookUp(name: string): Promise<TestUser | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const [, , uid, gid, , home] = stdout.trim().split(':');
    if (uid === undefined || gid === undefined || home === undefined) return undefined;
    return { name, uid: Number(uid), gid: Number(gid), home };
  } catch {
    return undefined;
  }
}

/**
 * The user sshd tests log in as. As root: `ymdeploy`, created on first use with a `*` password (a locked
 * `!` account is refused by sshd with UsePAM no, even with a key). Otherwise: the current user.
 * Safe to call from parallel test workers: a lost useradd race is retried and then looked up.
 */
export async function ensureTestUser(): Promise<TestUser> {
  if (process.getuid?.() !== 0) {
    const me = userInfo();
    return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir };
  }
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const existing = await lookUp(TEST_USER_NAME);
    if (existing !== undefined) return existing;
    try {
      await run('useradd', ['-m', '-s', '/bin/bash', '-p', '*', TEST_USER_NAME]);
    } catch {
      // Another worker holds the passwd lock or created the user first; look again.
      await delay(50 + attempt * 25);
    }
  }
  throw new Error(`could not create the test user ${TEST_USER_NAME}`);
}
