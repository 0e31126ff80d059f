/** The engine's `connect`, bound to the CLI's credentials and host-key policy. */
import type { ConnectHost } from '../deploy/types.ts';
import { connectWithCredentials } from '../executors/index.ts';
import type { CliIo } from './cli-io.ts';

export interface SshFlags {
  identity?: string;
  user?: string;
  acceptNewHostKeys: boolean;
}

export function connectFromCli(
  flags: SshFlags,
  io: CliIo,
): Promise<{ ok: true; connect: ConnectHost } | { ok: false; message: string }> {
  return connectWithCredentials({ ...flags, env: io.env }, (entry, fingerprint) => {
    io.stderr.write(
      `accepted the new host key of ${entry.name} (${entry.address}:${entry.port}): ${fingerprint}\n  pin it in the config: host_key: "${fingerprint}"\n`,
    );
  });
}
