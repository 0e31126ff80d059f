/**
 * Defence in depth at connect time: the executor registry as workers use it, refusing any host the repository's grant
 * does not allow (a `local` host above all) and using the repository's own SSH identity when the policy names one.
 */
import type { ConnectHost } from '../deploy/types.ts';
import { hostProblem } from './host-check.ts';
import type { PolicySource } from './types.ts';

/** Opens executors for the hosts of one repository. */
export type RepoConnect = (repoFullName: string) => ConnectHost;

/** Binds a key file to the executor registry (see src/executors/ssh-credentials.ts). */
export type IdentityConnect = (
  identityFile: string,
) => Promise<{ ok: true; connect: ConnectHost } | { ok: false; message: string }>;

/** Why a connection was refused before any byte went out. */
export class PolicyRefusedError extends Error {
  override name = 'PolicyRefusedError';
}

/**
 * Wraps `connect` (the registry bound to the server's identity) so that each repository reaches only the hosts and
 * executors its grant allows, as the policy is at the moment of connecting. A grant's `ssh_identity` is loaded once
 * per file through `identityConnect`; without one, such a repository's hosts are refused rather than reached with
 * the server's own key.
 */
export function policyConnect(
  policy: PolicySource,
  connect: ConnectHost,
  identityConnect?: IdentityConnect,
): RepoConnect {
  const identities = new Map<string, ReturnType<IdentityConnect>>();
  const withIdentity = (file: string): ReturnType<IdentityConnect> => {
    let bound = identities.get(file);
    if (bound === undefined) {
      bound =
        identityConnect === undefined
          ? Promise.resolve({ ok: false, message: 'this process cannot use per-repository SSH identities' })
          : identityConnect(file);
      identities.set(file, bound);
    }
    return bound;
  };
  return (repoFullName) => async (host, signal) => {
    const grant = policy.forRepo(repoFullName);
    const problem = hostProblem(grant, host);
    if (problem !== undefined) throw new PolicyRefusedError(`refused by the operator's policy: ${problem}`);
    if (grant.sshIdentity === undefined || host.executor !== 'ssh') return connect(host, signal);
    const bound = await withIdentity(grant.sshIdentity);
    if (!bound.ok) throw new PolicyRefusedError(`the SSH identity of ${repoFullName} cannot be used: ${bound.message}`);
    return bound.connect(host, signal);
  };
}
