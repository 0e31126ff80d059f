/** Shared types of the repo config `.github/yardmaster.yml` after validation. */
import type { TransferMethod } from '../plan/types.ts';

export type ExecutorKind = 'ssh' | 'local';

/** The key events an environment's `notify.events` may name (notify/ sends them). */
export const KEY_EVENT_KINDS = [
  'submitted',
  'approved',
  'rejected',
  'scheduled',
  'started',
  'failed',
  'rolled_back',
  'succeeded',
  'accepted',
] as const;
export type KeyEventKind = (typeof KEY_EVENT_KINDS)[number];

/** One host as written in the config's `hosts:` groups, with defaults applied. */
export interface HostEntry {
  name: string;
  address: string;
  port: number;
  /** Login user; absent = the controller's default (`--user`, else the current user). */
  user?: string;
  /** Pinned OpenSSH fingerprint `SHA256:<base64>`; absent = unknown (refused unless accepting new keys). */
  hostKey?: string;
  /** Overrides the app's deploy_to on this host. */
  deployTo?: string;
  executor: ExecutorKind;
}

export interface EnvironmentConfig {
  hosts: string[];
  approvals: number;
  approvers: string[];
  freeze: string[];
  production: boolean;
  /** Variables passed to every command of this environment. */
  env: Record<string, string>;
  /**
   * Names of secret variables, masked in all output. The server takes their values from the secret store (repository
   * + environment); only the offline CLI, run by the operator, takes them from its own environment.
   */
  secretEnv: string[];
  transfer?: TransferMethod;
  /** Where this environment's approval messages go (else `slack.channel`). */
  slackChannel?: string;
  /** Who hears of this environment's key events. */
  notify?: NotifyConfig;
}

/** Subscriptions to an environment's key events. */
export interface NotifyConfig {
  events: KeyEventKind[];
  slack: string[];
  email: string[];
  /** The signing key is the secret `secretEnv` in the secret store, for the repository and this environment. */
  webhooks: { url: string; secretEnv: string }[];
}

export interface AppConfig {
  project?: string;
  deployTo: string;
  environments: Record<string, EnvironmentConfig>;
  transfer?: TransferMethod;
}

export interface RolesConfig {
  projectManager: string[];
  developer: string[];
  ops: string[];
  deployer: string[];
  acceptor: string[];
}

export interface SlackConfig {
  /**
   * The Slack workspace (team id) this repository belongs to: `/yardmaster status` from that workspace may list it
   * (in a channel this config names, or to a member `users` names); from any other workspace it never does.
   */
  team?: string;
  channel?: string;
  users: Record<string, string>;
}

/**
 * `projects.<name>`: apps join a project with their `project:` field. Its `roles` replace the repository's roles of
 * the same name for its apps' orders (only the roles it writes); its `notify` subscribers hear of the key events of
 * every environment of its apps, besides the environment's own.
 */
export interface ProjectConfig {
  description?: string;
  roles: Partial<RolesConfig>;
  notify?: NotifyConfig;
}

export interface RepoConfig {
  apps: Record<string, AppConfig>;
  hosts: Record<string, HostEntry[]>;
  roles: RolesConfig;
  /** Empty when the config has no `projects:`; then an app's `project:` is a free label (statistics only). */
  projects: Record<string, ProjectConfig>;
  slack?: SlackConfig;
}

/** A host a release goes to, with its effective deploy directory (the host's `deploy_to`, else the app's). */
export interface ResolvedHost {
  entry: HostEntry;
  deployTo: string;
}
