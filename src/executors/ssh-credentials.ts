/**
 * Where the CLI and the workers get their SSH identity: `--identity <file>` (CLI), else YARDMASTER_SSH_KEY (the key itself) or
 * YARDMASTER_SSH_KEY_FILE, else an ssh-agent (SSH_AUTH_SOCK), else ~/.ssh/id_ed25519, id_ecdsa, id_rsa.
 * Keys never come from a repository.
 */
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ConnectOptions, Executor } from './types.ts';
import type { HostEntry } from '../config/types.ts';
import { connectExecutor } from './registry.ts';

export interface CredentialInput {
  identity?: string;
  user?: string;
  acceptNewHostKeys: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export type Credentials =
  | { ok: true; options: Omit<ConnectOptions, 'signal' | 'onNewHostKey'> }
  | { ok: false; message: string };

async function readKey(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

export async function loadCredentials(input: CredentialInput): Promise<Credentials> {
  const base = {
    defaultUser: input.user ?? input.env.YARDMASTER_SSH_USER ?? userInfo().username,
    acceptNewHostKeys: input.acceptNewHostKeys,
    readyTimeoutMs: 20_000,
    ...(input.env.YARDMASTER_SSH_KEY_PASSPHRASE ? { passphrase: input.env.YARDMASTER_SSH_KEY_PASSPHRASE } : {}),
  };
  const agent = input.env.SSH_AUTH_SOCK;
  if (input.identity !== undefined) {
    const key = await readKey(input.identity);
    if (!key) return { ok: false, message: `cannot read the identity file ${input.identity}` };
    return { ok: true, options: { ...base, privateKey: key } };
  }
  if (input.env.YARDMASTER_SSH_KEY)
    return { ok: true, options: { ...base, privateKey: Buffer.from(input.env.YARDMASTER_SSH_KEY) } };
  if (input.env.YARDMASTER_SSH_KEY_FILE) {
    const key = await readKey(input.env.YARDMASTER_SSH_KEY_FILE);
    if (!key)
      return { ok: false, message: `cannot read YARDMASTER_SSH_KEY_FILE (${input.env.YARDMASTER_SSH_KEY_FILE})` };
    return { ok: true, options: { ...base, privateKey: key } };
  }
  if (agent) return { ok: true, options: { ...base, agent } };
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const key = await readKey(join(homedir(), '.ssh', name));
    if (key) return { ok: true, options: { ...base, privateKey: key } };
  }
  return { ok: true, options: base };
}

/** Opens an executor for a host; `signal` aborts the connection attempt. */
export type BoundConnect = (host: HostEntry, signal: AbortSignal) => Promise<Executor>;

/**
 * Loads the credentials once and binds them, with the host-key policy, to the executor registry.
 * `onNewHostKey` hears of every unpinned key accepted because of `acceptNewHostKeys`.
 */
export async function connectWithCredentials(
  input: CredentialInput,
  onNewHostKey: (host: HostEntry, fingerprint: string) => void,
): Promise<{ ok: true; connect: BoundConnect } | { ok: false; message: string }> {
  const credentials = await loadCredentials(input);
  if (!credentials.ok) return credentials;
  return {
    ok: true,
    connect: (host, signal) => connectExecutor(host, { ...credentials.options, signal, onNewHostKey }),
  };
}
