/**
 * A lane's service version: the same rule as a plan's version (src/plan/field-schemas.ts) — 1 to 64 letters,
 * digits, `.`, `_` or `-`, never `.` or `..` — since it becomes a directory (`<deploy_to>/<service>-<version>`, a
 * release's `releases/<version>`) and is filled into the catalog's start command. A bare YAML integer (`B: 1`) is
 * taken as its digits; any other number is refused (YAML has already turned `1.10` into `1.1`).
 */
import { z } from 'zod';
import { versionSchema } from '../plan/index.ts';

export const laneVersionSchema = z.preprocess(
  (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value),
  versionSchema,
);

/** Why `version` is not a lane version, or undefined when it is one. */
export function laneVersionProblem(version: string): string | undefined {
  const parsed = laneVersionSchema.safeParse(version);
  return parsed.success ? undefined : (parsed.error.issues[0]?.message ?? 'expected a version');
}

/**
 * Throws unless `version` is a lane version: the last guard where a version enters the library or reaches a
 * runtime (a path, a command), whichever door it came through.
 */
export function assertLaneVersion(service: string, version: string): void {
  const problem = laneVersionProblem(version);
  if (problem !== undefined) throw new Error(`${service}@${version}: ${problem}`);
}
