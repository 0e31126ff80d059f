/** What a pre-flight found: per host, one verdict per check the release's check stage makes. */

/** The checks, in the order the per-host table shows them. */
export const PREFLIGHT_CHECKS = ['connect', 'deploy_to', 'disk', 'tools', 'current', 'lock'] as const;
export type PreflightCheckName = (typeof PREFLIGHT_CHECKS)[number];

/** Headings of the per-host table, per check. */
export const PREFLIGHT_CHECK_TITLES: Readonly<Record<PreflightCheckName, string>> = {
  connect: 'connect / key',
  deploy_to: 'deploy_to writable',
  disk: 'free disk vs needed',
  tools: 'tools',
  current: 'current release',
  lock: 'lock',
};

export interface PreflightCheck {
  ok: boolean;
  /** One line for people: what was found (never a secret: hosts, paths, sizes, command names, lock owners). */
  detail: string;
}

export interface PreflightHostReport {
  host: string;
  ok: boolean;
  /** A check missing here was not made (the host could not be reached). */
  checks: Partial<Record<PreflightCheckName, PreflightCheck>>;
}

export interface PreflightReport {
  ok: boolean;
  hosts: PreflightHostReport[];
  /** What the free-space rule went by: the package's size in bytes, or null with why it is not known yet. */
  packageBytes: number | null;
  packageNote?: string;
}
