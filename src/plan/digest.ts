/** The plan digest an approval is bound to (src/workorders/README.md, "States"). */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { Plan } from './types.ts';

// Bumped if the digest's input ever changes shape, so old and new digests can never collide by accident. Format 1
// (no release settings) is still computed for plan versions stored before the settings were covered.
const DIGEST_FORMAT = 'yardmaster-plan-digest/1';
const DIGEST_FORMAT_WITH_SETTINGS = 'yardmaster-plan-digest/2';

export interface DigestExtras {
  commitSha?: string;
  /**
   * The repo config's release settings resolved for the plan (config/release-settings.ts), as plain data: hosts with
   * addresses, ports, users and host keys, deploy_to, env, secret names, approvals needed.
   */
  settings?: Record<string, unknown>;
}

/**
 * sha256 (hex) over the normalised plan, the commit SHA, the package sha256 and the release settings.
 *
 * The digest is computed from the parsed plan, not the YAML text: reordering keys, reformatting or editing comments
 * keeps approvals, while any change in meaning (including to a default made explicit with another value) drops them.
 * The settings are canonical JSON too: reordering the config's keys changes nothing, changing a host's address does.
 */
export function planDigest(plan: Plan, extras: DigestExtras = {}): string {
  const payload = {
    format: extras.settings === undefined ? DIGEST_FORMAT : DIGEST_FORMAT_WITH_SETTINGS,
    plan,
    commitSha: extras.commitSha?.trim().toLowerCase() ?? null,
    packageSha256: plan.package.sha256,
    ...(extras.settings === undefined ? {} : { settings: extras.settings }),
  };
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}
