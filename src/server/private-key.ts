/** The App's private key, from the environment or a file, checked before the server starts. */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PrivateKeySource } from './env.ts';

/** The key as PEM, or why it is unusable. */
export type PrivateKeyResult = { ok: true; pem: string } | { ok: false; problem: string };

const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * The forms keys travel in: PEM, PEM with its newlines written as `\n` (one-line env files), or base64 of PEM
 * (what some hosting dashboards need).
 */
function normalize(text: string): string | undefined {
  const trimmed = text
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .trim();
  if (PEM.test(trimmed)) return trimmed.includes('\n') ? trimmed : trimmed.replaceAll('\\n', '\n').trim();
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim();
  return PEM.test(decoded) ? decoded : undefined;
}

/** Reads and checks the private key (node:crypto must be able to load it). */
export async function loadPrivateKey(source: PrivateKeySource): Promise<PrivateKeyResult> {
  const where = source.kind === 'file' ? `PRIVATE_KEY_PATH (${source.path})` : 'PRIVATE_KEY';
  let text: string;
  try {
    text = source.kind === 'inline' ? source.text : await readFile(source.path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return { ok: false, problem: `${where}: cannot be read (${code})` };
  }
  const pem = normalize(text);
  if (pem === undefined) return { ok: false, problem: `${where}: not a PEM private key (nor base64 of one)` };
  try {
    createPrivateKey(pem);
  } catch {
    return { ok: false, problem: `${where}: the PEM does not hold a usable private key` };
  }
  return { ok: true, pem };
}
