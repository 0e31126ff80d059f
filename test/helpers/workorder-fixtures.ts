/** Repo configs, plans, teams and database probes for the work-order service and release worker tests. */
import { sql } from 'drizzle-orm';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { EnvironmentConfig, HostEntry, RepoConfig, RolesConfig } from '../../src/config/types.ts';
import { rawRows } from '../../src/db/raw-rows.ts';
import type { DbExecutor } from '../../src/db/types.ts';
import type { TeamMembership } from '../../src/workorders/roles.ts';
import type { RepoContext } from '../../src/workorders/service/types.ts';

/** Team `ops` of org `acme`: carol, dave and erin. */
export const TEAMS: TeamMembership = {
  isMember: (org, slug, login) =>
    Promise.resolve(org === 'acme' && slug === 'ops' && ['carol', 'dave', 'erin'].includes(login)),
};

/** pam manages and accepts, dev and carol write plans, team ops approves and deploys. */
export const ROLES: RolesConfig = {
  projectManager: ['pam'],
  developer: ['dev', 'carol'],
  ops: ['team:ops'],
  deployer: ['team:ops'],
  acceptor: ['pam'],
};

export function environmentConfig(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    hosts: ['web'],
    approvals: 2,
    approvers: ['team:ops'],
    freeze: [],
    production: true,
    env: {},
    secretEnv: [],
    ...overrides,
  };
}

/** One app `shop` with the given environments over the host group `web`. */
export function repoConfig(
  hosts: HostEntry[],
  environments: Record<string, EnvironmentConfig>,
  deployTo = '/srv/shop',
): RepoConfig {
  return { apps: { shop: { deployTo, environments } }, hosts: { web: hosts }, roles: ROLES, projects: {} };
}

export function repoContext(config: RepoConfig): RepoContext {
  return { config, org: 'acme', membership: TEAMS };
}

/** A plan comment as a developer writes it. */
export function planComment(fields: {
  environment: string;
  version: string;
  url: string;
  sha256: string;
  more?: string;
}): string {
  return [
    'Here is the plan:',
    '',
    '```yaml',
    'app: shop',
    `environment: ${fields.environment}`,
    `version: ${fields.version}`,
    'package:',
    `  url: ${fields.url}`,
    `  sha256: ${fields.sha256}`,
    ...(fields.more === undefined ? [] : fields.more.split('\n')),
    '```',
  ].join('\n');
}

/** A pg-boss job's state, or null when there is no such job. */
export async function jobState(db: DbExecutor, id: string): Promise<string | null> {
  const [row] = rawRows(await db.execute(sql`select state::text as state from pgboss.job where id = ${id}::uuid`));
  return row === undefined ? null : z.object({ state: z.string() }).parse(row).state;
}

/** The data of a pg-boss job. */
export async function jobData(db: DbExecutor, id: string): Promise<unknown> {
  const [row] = rawRows(await db.execute(sql`select data from pgboss.job where id = ${id}::uuid`));
  return z.object({ data: z.unknown() }).parse(row).data;
}

/** How many `release.start` jobs exist. */
export async function startJobCount(db: DbExecutor): Promise<number> {
  const [row] = rawRows(await db.execute(sql`select count(*)::int as n from pgboss.job where name = 'release.start'`));
  return z.object({ n: z.number() }).parse(row).n;
}

/** Polls `probe` until it returns a value, for at most `limitMs` (then throws with `what`). No timing is asserted. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 45_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await delay(50);
  }
}
