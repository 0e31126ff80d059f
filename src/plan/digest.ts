/** The plan digest an approval is bound to (docs/architecture.md, "Work order states"). */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import type { Plan } from './types.ts';

// Bumped if the digest's input ever changes shape, so old and new digests can never collide by accident.
const DIGEST_FORMAT = 'yardmaster-plan-digest/1';

/**
 * sha256 (hex) over the normalised plan, the commit SHA and the package sha256.
 *
 * The digest is computed from the parsed plan, not the YAML text: reordering keys, reformatting or editing comments
 * keeps approvals, while any change in meaning (including to a default made explicit with another value) drops them.
 */
export function planDigest(plan: Plan, extras: { commitSha?: string } = {}): string {
  const payload = {
    format: DIGEST_FORMAT,
    plan,
    commitSha: extras.commitSha?.trim().toLowerCase() ?? null,
    packageSha256: plan.package.sha256,
  };
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}
