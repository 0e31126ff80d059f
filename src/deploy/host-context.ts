/** Everything one host's run needs, and the state it keeps for a later rollback. */
import type { EnvironmentConfig, ResolvedHost } from '../config/types.ts';
import type { Executor } from '../executors/types.ts';
import type { Plan } from '../plan/types.ts';
import type { ResolvedPackage } from './package-source.ts';
import type { ReleaseLayout } from './release-layout.ts';
import type { ReleaseLogEntry } from './releases-log.ts';
import type { Masker } from './secret-masker.ts';
import type { RecentLines } from './output-lines.ts';
import type { EventSink, HostFailure, StageName } from './types.ts';

/** A package the controller pushes (it found and verified it), or one every host pulls from its URL. */
export type PackageDelivery =
  | { transfer: 'stream' | 'sftp' | 'scp'; pkg: ResolvedPackage }
  | { transfer: 'pull'; pull: PullSource };

/** What a host needs to download the package itself. */
export interface PullSource {
  /** The normalised URL, without a fragment; holds no `"`, backslash, whitespace or control characters. */
  url: string;
  sha256: string;
  scheme: 'https' | 'http';
  /** The URL's path ends in `.gz`/`.tgz`: the check requires gzip (the fetch reads the real format). */
  gzip: boolean;
}

export interface HostRunContext {
  releaseId: string;
  plan: Plan;
  environment: EnvironmentConfig;
  target: ResolvedHost;
  layout: ReleaseLayout;
  executor: Executor;
  /** How the package reaches the host, and what the controller knows of it. */
  delivery: PackageDelivery;
  secrets: Readonly<Record<string, string>>;
  mask: Masker;
  emit: EventSink;
  /** Aborts this host's work: the release's abort, or a stop because another host failed. */
  signal: AbortSignal;
  force: boolean;
  breakLock: boolean;
  actor: string;
  workOrder: string | null;
}

export interface HostRunState {
  /** The version live before this release (null: none). */
  previous: string | null;
  switched: boolean;
  lockHeld: boolean;
  /** The plan's rollback_version exists on this host. */
  hasRollbackVersion: boolean;
  log: ReleaseLogEntry[];
  recent: RecentLines;
  /** `transfer: pull`: the downloader the check stage found on the host. */
  downloader?: 'curl' | 'wget';
}

export type HostRunOutcome =
  | { kind: 'released' }
  | { kind: 'unchanged' }
  | { kind: 'failed'; failure: HostFailure }
  | { kind: 'aborted'; stage: StageName };
