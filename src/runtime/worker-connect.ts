/**
 * The release engine's `connect` for workers: the executor registry bound to the process's SSH identity
 * (YARDMASTER_SSH_KEY, else YARDMASTER_SSH_KEY_FILE, else ssh-agent via SSH_AUTH_SOCK, else ~/.ssh/id_*) and its
 * host-key policy (pinned keys only, unless YARDMASTER_ACCEPT_NEW_HOST_KEYS). Keys never come from a repository.
 */
import type { ConnectHost } from '../deploy/types.ts';
import { connectWithCredentials } from '../executors/index.ts';
import { policyConnect, type PolicySource, type RepoConnect } from '../policy/index.ts';

/** Where accepted host keys are reported. */
export interface ConnectLog {
  warn(fields: object, message: string): void;
}

/** A connect function, or why the identity cannot be loaded. */
export type WorkerConnectResult = { ok: true; connect: ConnectHost } | { ok: false; message: string };

/** Builds `connect` from `env` (normally `process.env`). */
export function workerConnect(
  env: Readonly<Record<string, string | undefined>>,
  acceptNewHostKeys: boolean,
  log: ConnectLog,
): Promise<WorkerConnectResult> {
  return connectWithCredentials({ acceptNewHostKeys, env }, (entry, fingerprint) => {
    log.warn(
      { host: entry.name, address: entry.address, port: entry.port, fingerprint },
      'accepted an unpinned host key: pin it in the config',
    );
  });
}

/**
 * `connect` per repository for workers in server mode: the process's identity, or the repository's own key file when
 * the operator's policy names one (`ssh_identity`), and every host checked against the repository's grant.
 */
export function policyWorkerConnect(
  policy: PolicySource,
  connect: ConnectHost,
  env: Readonly<Record<string, string | undefined>>,
  acceptNewHostKeys: boolean,
  log: ConnectLog,
): RepoConnect {
  return policyConnect(policy, connect, (identity) =>
    connectWithCredentials({ identity, acceptNewHostKeys, env }, (entry, fingerprint) => {
      log.warn(
        { host: entry.name, address: entry.address, port: entry.port, fingerprint },
        'accepted an unpinned host key: pin it in the config',
      );
    }),
  );
}
