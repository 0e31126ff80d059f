/** The policy file's text → validated rules, every problem with its line and column (like plans and configs). */
import { access, constants, readFile } from 'node:fs/promises';
import { parseYamlWith, parseYamlSource } from '../plan/index.ts';
import type { ParseResult, SourceIssue } from '../plan/types.ts';
import { policyFileSchema } from './policy-schema.ts';
import type { PolicyFile } from './types.ts';

/** Parses and validates policy YAML text. Never throws for bad input. */
export function parsePolicy(text: string): ParseResult<PolicyFile> {
  return parseYamlWith(text, policyFileSchema);
}

/** Each `ssh_identity` that cannot be read, located at its key: a key that is missing at start is a typo. */
async function unreadableIdentities(text: string, policy: PolicyFile): Promise<SourceIssue[]> {
  const source = parseYamlSource(text);
  const issues: SourceIssue[] = [];
  for (const [index, rule] of policy.repos.entries()) {
    if (rule.sshIdentity === undefined) continue;
    try {
      await access(rule.sshIdentity, constants.R_OK);
    } catch {
      const path = ['repos', index, 'ssh_identity'];
      const where = source.ok ? source.source.locate(path) : { line: 0, column: 0 };
      issues.push({
        ...where,
        path: `repos[${index}].ssh_identity`,
        message: `cannot read the key file ${rule.sshIdentity}`,
      });
    }
  }
  return issues;
}

/**
 * Reads and validates the policy file at `path`. A file that cannot be read, bad YAML, a wrong field and an
 * unreadable `ssh_identity` all come back as located issues.
 */
export async function loadPolicyFile(path: string): Promise<ParseResult<PolicyFile>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return {
      ok: false,
      issues: [{ line: 0, column: 0, path: '', message: `cannot read the policy file ${path} (${code})` }],
    };
  }
  const parsed = parsePolicy(text);
  if (!parsed.ok) return parsed;
  const identities = await unreadableIdentities(text, parsed.value);
  return identities.length > 0 ? { ok: false, issues: identities } : parsed;
}
