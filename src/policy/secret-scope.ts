/**
 * Validation of what names a secret (repository, environment, name) and of its value, shared by the CLI and the
 * store so that nothing the config could never name is stored, and nothing unbounded is sealed.
 */
import { z } from 'zod';
import { envNameSchema } from '../config/index.ts';
import { nameSchema } from '../plan/index.ts';
import type { SecretScope } from './secret-types.ts';

/** Largest value accepted, in bytes of UTF-8: enough for a private key or a certificate chain. */
export const MAX_SECRET_BYTES = 64 * 1024;

// GitHub's own alphabet for owner and repository names.
const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

export const repoFullNameSchema = z
  .string({ error: 'expected a repository as owner/name' })
  .regex(REPO, { error: 'expected a repository as owner/name, e.g. acme/shop' })
  .refine((repo) => !['.', '..'].includes(repo.split('/')[1] ?? ''), {
    error: 'expected a repository as owner/name, e.g. acme/shop',
  })
  // GitHub compares repository names without regard to case; the store does too.
  .transform((repo) => repo.toLowerCase());

const scopeSchema = z.object({ repo: repoFullNameSchema, environment: nameSchema, name: envNameSchema });

export type ScopeResult = { ok: true; scope: SecretScope } | { ok: false; message: string };

/** The scope as the store keys it (repository in lower case), or what is wrong, field by field. */
export function parseSecretScope(input: { repo: string; environment: string; name: string }): ScopeResult {
  const parsed = scopeSchema.safeParse(input);
  if (parsed.success) return { ok: true, scope: parsed.data };
  const labels: Record<string, string> = { repo: '--repo', environment: '--env', name: 'NAME' };
  return {
    ok: false,
    message: parsed.error.issues
      .map((issue) => `${labels[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`)
      .join('\n'),
  };
}

/** The repository as the store keys it. */
export function storeRepoKey(repoFullName: string): string {
  return repoFullName.toLowerCase();
}

/** A repository (`--repo`) and optionally an environment (`--env`) to list, as the store keys them. */
export function parseListScope(
  repo: string,
  environment: string | undefined,
): { ok: true; repo: string; environment: string | undefined } | { ok: false; message: string } {
  const parsedRepo = repoFullNameSchema.safeParse(repo);
  if (!parsedRepo.success) return { ok: false, message: `--repo: ${parsedRepo.error.issues[0]?.message ?? 'invalid'}` };
  if (environment === undefined) return { ok: true, repo: parsedRepo.data, environment };
  const parsedEnvironment = nameSchema.safeParse(environment);
  if (!parsedEnvironment.success)
    return { ok: false, message: `--env: ${parsedEnvironment.error.issues[0]?.message ?? 'invalid'}` };
  return { ok: true, repo: parsedRepo.data, environment: parsedEnvironment.data };
}

export type ValueResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * A value read from stdin: one trailing newline (what `echo` and a terminal add) is dropped; an empty value is refused
 * (it could not be masked in output), and so is one above {@link MAX_SECRET_BYTES} or one that is not UTF-8.
 */
export function parseSecretValue(bytes: Buffer): ValueResult {
  if (bytes.length > MAX_SECRET_BYTES + 2)
    return { ok: false, message: `the value is larger than ${MAX_SECRET_BYTES} bytes` };
  let value: string;
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, message: 'the value is not UTF-8 text (encode binary secrets, e.g. as base64)' };
  }
  value = value.replace(/\r?\n$/, '');
  if (value === '') return { ok: false, message: 'the value is empty (an empty secret cannot be masked in output)' };
  if (Buffer.byteLength(value) > MAX_SECRET_BYTES)
    return { ok: false, message: `the value is larger than ${MAX_SECRET_BYTES} bytes` };
  if (value.includes('\0'))
    return { ok: false, message: 'the value contains a NUL byte, which no process environment can hold' };
  return { ok: true, value };
}
