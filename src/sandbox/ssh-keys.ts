/** Key pairs made with OpenSSH's own ssh-keygen at run time (no key is ever committed). */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  privateKeyPath: string;
  privateKey: Buffer;
  /** One authorized_keys line: `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
  /** OpenSSH fingerprint of the public key, `SHA256:…`. */
  fingerprint: string;
}

/** OpenSSH `SHA256:` fingerprint of an authorized_keys / .pub line, computed from its key blob. */
export function publicKeyFingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (blob === undefined) throw new Error(`not an OpenSSH public key line: ${publicKeyLine}`);
  const digest = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** Writes a fresh unencrypted ed25519 key pair to `path` and `path.pub` with ssh-keygen. */
export async function generateKeyPair(path: string, comment = 'yardmaster-test'): Promise<KeyPair> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  const [privateKey, publicKey] = await Promise.all([readFile(path), readFile(`${path}.pub`, 'utf8')]);
  return {
    privateKeyPath: path,
    privateKey,
    publicKey: publicKey.trim(),
    fingerprint: publicKeyFingerprint(publicKey),
  };
}
