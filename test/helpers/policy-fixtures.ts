/** Operator policies for tests: the defaults, or a policy file's text read as the server reads it. */
import { parsePolicy, staticPolicySource, type PolicySource } from '../../src/policy/index.ts';

/** A policy from YAML text (throws on errors: a fixture must be valid). */
export function policyFromYaml(yaml: string, artifactsDir: string, file = '/etc/yardmaster/policy.yml'): PolicySource {
  const parsed = parsePolicy(yaml);
  if (!parsed.ok) throw new Error(`bad policy fixture: ${JSON.stringify(parsed.issues)}`);
  return staticPolicySource(parsed.value, { artifactsDir, file });
}

/** Every repository may use any address and the local executor, packages from the artifact store (the operator's own test bench). */
export function localExecutorPolicy(artifactsDir: string): PolicySource {
  return policyFromYaml(
    'repos:\n  - match: "*/*"\n    hosts: ["0.0.0.0/0", "::/0", "*"]\n    executors: [ssh, local]\n',
    artifactsDir,
  );
}
