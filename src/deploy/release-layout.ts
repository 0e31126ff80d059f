/**
 * The layout of an app on a host (Capistrano/Deployer compatible):
 * `<deploy_to>/releases/<version>/`, `<deploy_to>/current -> releases/<version>`, `<deploy_to>/shared/`,
 * `<deploy_to>/.yardmaster/{releases.log,lock/,previous,plans/<version>.json}`.
 */
import { posix } from 'node:path';

export interface ReleaseLayout {
  deployTo: string;
  releasesDir: string;
  current: string;
  shared: string;
  stateDir: string;
  releasesLog: string;
  lockDir: string;
  releaseDir(version: string): string;
  /** The relative target `current` points at for a version. */
  linkTarget(version: string): string;
}

export function releaseLayout(deployTo: string): ReleaseLayout {
  const stateDir = posix.join(deployTo, '.yardmaster');
  return {
    deployTo,
    releasesDir: posix.join(deployTo, 'releases'),
    current: posix.join(deployTo, 'current'),
    shared: posix.join(deployTo, 'shared'),
    stateDir,
    releasesLog: posix.join(stateDir, 'releases.log'),
    lockDir: posix.join(stateDir, 'lock'),
    releaseDir: (version) => posix.join(deployTo, 'releases', version),
    linkTarget: (version) => `releases/${version}`,
  };
}

/** The version a `current` link target names, or null when it is not one of ours. */
export function versionFromLinkTarget(target: string): string | null {
  const match = /^(?:.*\/)?releases\/([A-Za-z0-9._-]{1,64})\/?$/.exec(target.trim());
  return match?.[1] ?? null;
}
