/** Secret variables: named in the config, valued from the controller's own environment. */
import type { EnvironmentConfig } from './types.ts';

export type SecretEnvResult = { ok: true; values: Record<string, string> } | { ok: false; missing: string[] };

/**
 * Reads the values of an environment's `secret_env` names from `processEnv`. All names must be set: a release
 * without its database password would fail half-way, so it must not start. An empty value counts as missing, since
 * masking an empty string in output is impossible and it is almost always an unset variable.
 */
export function readSecretEnv(
  environment: Pick<EnvironmentConfig, 'secretEnv'>,
  processEnv: Readonly<Record<string, string | undefined>>,
): SecretEnvResult {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of environment.secretEnv) {
    const value = Object.hasOwn(processEnv, name) ? processEnv[name] : undefined;
    if (value === undefined || value === '') missing.push(name);
    else values[name] = value;
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, values };
}
