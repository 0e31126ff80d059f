/**
 * ssh2's Client class, imported on first use: a process loads ssh2 when it first reaches a host, not at its start
 * (the server starts without it; see test/integration/server-start-loads.test.ts).
 */
import type { Client } from 'ssh2';

let loading: Promise<typeof Client> | undefined;

export function loadSsh2Client(): Promise<typeof Client> {
  loading ??= import('ssh2').then((ssh2) => ssh2.Client);
  return loading;
}
