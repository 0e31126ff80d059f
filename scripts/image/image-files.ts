/**
 * What the image's filesystem holds, read through `buildah mount`: no package that package-lock.json marks as
 * dev-only, no private key, token or .env file, and the unprivileged user with the directories it writes to.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The dev dependencies a reader looks for first; each is also covered by the lock file's `dev` flags. */
export const NAMED_DEV_PACKAGES = [
  'vitest',
  'typescript',
  'playwright-core',
  'eslint',
  '@biomejs/biome',
  'drizzle-kit',
];
/** Trees whose files are read for key material (the Debian system and Node itself are not: CA certificates). */
const SCANNED_TREES = ['app', 'home', 'root', 'run', 'tmp', 'etc', 'usr/local/lib'];
const LARGEST_READ = 8 * 1024 * 1024;
const SECRET_NAMES = /^(\.env(\..*)?|\.npmrc|id_(rsa|dsa|ecdsa|ed25519)|.*\.(pem|key|p12|pfx))$/;
/** Public CA certificates are .pem files by design. */
const CERTIFICATE_DIRS = ['etc/ssl/certs/', 'usr/share/ca-certificates/', 'etc/ca-certificates/'];
const SECRET_CONTENT = [
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{40}/ },
  { what: 'an npm token', pattern: /_authToken\s*=/ },
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36}\b/ },
  { what: 'a Slack token', pattern: /\bxox[abp]-\d+-[A-Za-z0-9-]{20,}/ },
];

const lockSchema = z.object({
  packages: z.record(z.string(), z.object({ dev: z.boolean().optional(), devOptional: z.boolean().optional() })),
});

/** Paths (relative to /app) of packages the lock file installs for development only that are in the image. */
export function devPackagesPresent(root: string, lockText: string): string[] {
  const lock = lockSchema.parse(JSON.parse(lockText));
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev === true)
    .map(([path]) => path)
    .filter((path) => existsSync(join(root, 'app', path)));
}

function* filesUnder(root: string, relative: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(join(root, relative), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) yield* filesUnder(root, path);
    else if (entry.isFile()) yield path;
  }
}

/** Files in the image that look like credentials, by name or by content, each with why. */
export function secretLookingFiles(root: string): string[] {
  const found: string[] = [];
  for (const tree of SCANNED_TREES) {
    for (const path of filesUnder(root, tree)) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (SECRET_NAMES.test(name) && !CERTIFICATE_DIRS.some((dir) => path.startsWith(dir))) {
        found.push(`/${path} (by its name)`);
        continue;
      }
      const full = join(root, path);
      if (statSync(full).size > LARGEST_READ) continue;
      const text = readFileSync(full, 'latin1');
      const hit = SECRET_CONTENT.find((rule) => rule.pattern.test(text));
      if (hit !== undefined) found.push(`/${path} (holds ${hit.what})`);
    }
  }
  return found;
}

/** The uid of `user` in the image's /etc/passwd. */
export function uidOf(root: string, user: string): string | undefined {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${user}:`));
  return line?.split(':')[2];
}

/** Whether `path` exists in the image and belongs to `uid`. */
export function ownedBy(root: string, path: string, uid: string): boolean {
  try {
    return String(lstatSync(join(root, path)).uid) === uid;
  } catch {
    return false;
  }
}
