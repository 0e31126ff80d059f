/** The engine's `connect`, bound to the CLI's credentials and host-key policy. */
import { connectExecutor } from '../executors/registry.ts';
import type { ConnectHost } from '../deploy/types.ts';
import type { CliIo } from './cli-io.ts';
import { loadCredentials } from './ssh-credentials.ts';

export interface SshFlags {
  identity?: string;
  user?: string;
  acceptNewHostKeys: boolean;
}

export async function connectFromCli(flags: SshFlags, io: CliIo): Promise<{ ok: true; connect: ConnectHost } | { ok: false; message: string }> {
  const credentials = await loadCredentials({ ...flags, env: io.env });
  if (!credentials.ok) return credentials;
  const connect: ConnectHost = (host, signal) =>
    connectExecutor(host, {
      ...credentials.options,
      signal,
      onNewHostKey: (entry, fingerprint) =>
        io.stderr.write(`accepted the new host key of ${entry.name} (${entry.address}:${entry.port}): ${fingerprint}\n  pin it in the config: host_key: "${fingerprint}"\n`),
    });
  return { ok: true, connect };
}
