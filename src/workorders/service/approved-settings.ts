/**
 * The release settings the approvers approved (stored with the plan version, covered by its digest) against the
 * repo config as it is when the release starts: a changed host, deploy_to, env, secret name or approval count means
 * the release would run against something nobody approved.
 */
import {
  describeSettingsChanges,
  releaseSettings,
  type ReleaseSettings,
  releaseSettingsSchema,
} from '../../config/index.ts';
import type { AppConfig, EnvironmentConfig, ResolvedHost } from '../../config/types.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import type { PlanVersionRow } from './plan-store.ts';

export type SettingsCheck =
  | { ok: true }
  | { ok: false; changes: string[]; message: string; approved: ReleaseSettings | undefined };

/** Whether `targets` (resolved from the config now) are the settings plan version `version` was approved with. */
export function checkApprovedSettings(
  version: PlanVersionRow,
  targets: { app: AppConfig; environment: EnvironmentConfig; hosts: readonly ResolvedHost[] },
): SettingsCheck {
  const now = releaseSettings(targets);
  if (version.resolved === null) {
    const changes = ['the plan was approved before approvals covered the repo config'];
    return {
      ok: false,
      changes,
      message: `plan v${version.seq} was approved without the repo config it runs against: it needs approval again`,
      approved: undefined,
    };
  }
  const approved = releaseSettingsSchema.safeParse(version.resolved);
  if (approved.success && canonicalJson(approved.data) === canonicalJson(now)) return { ok: true };
  const listed = approved.success ? describeSettingsChanges(approved.data, now) : [];
  const changes = listed.length > 0 ? listed : ['the release settings differ from the approved ones'];
  return {
    ok: false,
    changes,
    message: `the repo config changed since plan v${version.seq} was approved (${changes.join('; ')}): it needs approval again`,
    approved: approved.success ? approved.data : undefined,
  };
}
