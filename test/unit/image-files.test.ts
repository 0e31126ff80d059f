/**
 * The image check's listing of an image's filesystem (scripts/image/image-files.ts), on a small tree laid out like
 * a mounted image: dev-only packages by the lock file, credentials by name and by content, CA certificates allowed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devPackagesPresent, secretLookingFiles, uidOf } from '../../scripts/image/image-files.ts';

let root: string;

function put(path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ym-image-files-'));
  const { privateKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  put('app/node_modules/zod/package.json', '{}');
  put('app/node_modules/vitest/package.json', '{}');
  put('app/node_modules/probot/node_modules/typescript/package.json', '{}');
  put('app/src/main.ts', 'export {};\n');
  put('app/node_modules/some/.env', 'A=1\n');
  put('app/node_modules/other/lib/fixture.js', `export const key = \`${privateKey}\`;\n`);
  put('home/yardmaster/notes.txt', 'token ghp_0123456789abcdefghijklmnopqrstuvwxyz\n');
  put('etc/ssl/certs/ca-certificates.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  put('etc/ssl/certs/Some_Root_CA.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  put('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nyardmaster:x:10001:10001::/home/yardmaster:/usr/sbin/nologin\n');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('the image filesystem listing', () => {
  it('finds the packages the lock file marks dev-only, at any depth, and nothing else', () => {
    const lock = JSON.stringify({
      packages: {
        '': { name: 'yardmaster' },
        'node_modules/zod': { version: '4.0.0' },
        'node_modules/vitest': { version: '5.1.1', dev: true },
        'node_modules/probot/node_modules/typescript': { version: '5.0.0', dev: true },
        'node_modules/eslint': { version: '9.0.0', dev: true },
      },
    });
    expect(devPackagesPresent(root, lock)).toEqual([
      'node_modules/vitest',
      'node_modules/probot/node_modules/typescript',
    ]);
  });

  it('reports .env files, private keys and tokens, but not CA certificates', () => {
    expect(secretLookingFiles(root).sort()).toEqual([
      '/app/node_modules/other/lib/fixture.js (holds a private key)',
      '/app/node_modules/some/.env (by its name)',
      '/home/yardmaster/notes.txt (holds a GitHub token)',
    ]);
  });

  it("reads the user's uid from /etc/passwd", () => {
    expect(uidOf(root, 'yardmaster')).toBe('10001');
    expect(uidOf(root, 'nobody')).toBeUndefined();
  });
});
