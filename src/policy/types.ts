/** Shared types of the operator's policy: what a repository may touch (see docs/operations.md, "Operator policy"). */
import type { ExecutorKind } from '../config/types.ts';

/** Which hosts a repository may target: any (the built-in defaults), or those matching one of the patterns. */
export type HostGrant = { kind: 'any' } | { kind: 'patterns'; patterns: string[] };

/**
 * Where packages may come from. `defaults`: https, http to non-private addresses, `file://`, absolute and relative
 * paths only inside the artifact store. `prefixes`: only URLs starting with one of the prefixes (relative paths are
 * read as files in the artifact store and checked as `file://` URLs).
 */
export type ArtifactGrant = { kind: 'defaults' } | { kind: 'prefixes'; prefixes: string[] };

/** Where a grant comes from, for messages and logs. */
export type GrantOrigin =
  | { kind: 'rule'; index: number; match: string; file: string }
  | { kind: 'defaults' }
  | { kind: 'no-rule'; file: string };

/** What one repository may do, after the policy's first matching rule (or the defaults). */
export interface RepoGrant {
  repoFullName: string;
  origin: GrantOrigin;
  hosts: HostGrant;
  executors: ExecutorKind[];
  artifacts: ArtifactGrant;
  /** The artifact store (`YARDMASTER_ARTIFACTS_DIR`): relative package paths are read there. */
  artifactsDir: string;
  /** This repository's own SSH key file, used for its hosts instead of the server's YARDMASTER_SSH_KEY*. */
  sshIdentity?: string;
  /** The longest lane TTL a repository may ask for, in milliseconds. */
  maxLaneTtlMs: number;
  /** How many lane instances a repository may run at once. */
  maxLaneInstances: number;
  /** Whether a plan may set commands itself; false: only the repo config's `commands:` run. */
  allowCustomCommands: boolean;
}

/** One rule of the policy file, validated. */
export interface PolicyRule {
  match: string;
  hosts: string[];
  executors: ExecutorKind[];
  /** URL prefixes (normalised); absent = the built-in defaults. */
  artifacts?: string[];
  sshIdentity?: string;
  maxLaneTtlMs: number;
  maxLaneInstances: number;
  /** `allow_custom_commands` (default true). */
  allowCustomCommands: boolean;
}

/** The policy file, validated. */
export interface PolicyFile {
  repos: PolicyRule[];
}

/** Answers what a repository may do; the answer follows the policy as it is now (it may be reloaded). */
export interface PolicySource {
  /** The grant of `owner/name` (case-insensitive): the first rule that matches, the defaults, or nothing. */
  forRepo(repoFullName: string): RepoGrant;
  /** Short description for logs: `file:/etc/yardmaster/policy.yml`, `defaults`. */
  readonly name: string;
}
