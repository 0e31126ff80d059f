/**
 * Which role each command needs (docs/architecture.md, "Repo config" roles), and the refusal a person can act on.
 *
 * - project_manager opens work orders (the labelled issue, or `/deploy <env>` on a pull request);
 * - developer writes plans;
 * - `/approve` and `/reject`: the environment's `approvers` when set, else the `ops` role; the plan's author may
 *   never approve it (four eyes), though an author who is an approver may reject it;
 * - deployer: `/deploy` (with or without a freeze override), `/abort`, `/rollback`, `/retry-failed`, `/lock`, `/unlock`;
 * - acceptor: `/accept`;
 * - `/preflight`: whoever may write plans (developer) or approve them (the environment's approvers): the author
 *   checks a fix on the hosts, the approver checks what they are about to approve;
 * - `/status`: anyone.
 */
import type { EnvironmentConfig, RolesConfig } from '../config/types.ts';
import { approverPrincipals, holdsPrincipal, normalizeLogin, type TeamMembership } from './roles.ts';
import type { Command, RoleName } from './types.ts';

/** What an actor wants to do: a comment command, or one of the two actions that are not commands. */
export type Action = Command | { name: 'open-order' } | { name: 'write-plan' };

/** The role an action needs, named as in .github/yardmaster.yml; `approver` is the environment's approvers. */
export type RequiredRole =
  | 'anyone'
  | 'project_manager'
  | 'developer'
  | 'approver'
  | 'developer-or-approver'
  | 'deployer'
  | 'acceptor';

/** What authorization needs to know about the order and the repo. */
export interface AuthorizationContext {
  roles: RolesConfig;
  /** The organisation whose teams `team:slug` entries name. */
  org: string;
  membership: TeamMembership;
  /** The app and environment of the order's current plan; absent while there is no plan. */
  target?: { app: string; environment: string; config: Pick<EnvironmentConfig, 'approvers'> };
  /** The login of the current plan's author. */
  planAuthor?: string;
}

/** Allowed, or refused with the role that was missing and a sentence for the reply. */
export type AuthorizationResult =
  | { ok: true }
  | { ok: false; reason: 'not-allowed'; role: RequiredRole; message: string }
  | { ok: false; reason: 'own-plan'; role: 'approver'; message: string };

type ConfigRole = Exclude<RequiredRole, 'anyone' | 'approver' | 'developer-or-approver'>;

const CONFIG_ROLE: Readonly<Record<ConfigRole, RoleName>> = {
  project_manager: 'projectManager',
  developer: 'developer',
  deployer: 'deployer',
  acceptor: 'acceptor',
};

const ROLE_NOUN: Readonly<Record<ConfigRole, string>> = {
  project_manager: 'a project manager',
  developer: 'a developer',
  deployer: 'a deployer',
  acceptor: 'an acceptor',
};

/** The role `action` needs. */
export function requiredRole(action: Action): RequiredRole {
  switch (action.name) {
    case 'open-order':
    case 'open-deployment':
      return 'project_manager';
    case 'write-plan':
      return 'developer';
    case 'approve':
    case 'reject':
      return 'approver';
    case 'deploy':
    case 'abort':
    case 'rollback':
    case 'retry-failed':
    case 'lock':
    case 'unlock':
      return 'deployer';
    case 'accept':
      return 'acceptor';
    case 'preflight':
      return 'developer-or-approver';
    case 'status':
      return 'anyone';
  }
}

/** How the refusal names what was refused, e.g. "use /abort". */
function describeAction(action: Action): string {
  switch (action.name) {
    case 'open-order':
      return 'open work orders';
    case 'write-plan':
      return 'write plans';
    case 'open-deployment':
      return `open a deployment with /deploy ${action.environment}`;
    case 'deploy':
      return action.overrideFreeze === undefined ? 'use /deploy' : 'override a freeze with /deploy --override-freeze';
    default:
      return `use /${action.name}`;
  }
}

function listPrincipals(label: string, principals: readonly string[]): string {
  return principals.length === 0 ? `nobody is listed as ${label}` : `${label}: ${principals.join(', ')}`;
}

/**
 * Whether `actor` (a GitHub login) may perform `action` on the order described by `context`.
 *
 * A failing team lookup rejects the promise rather than allowing or refusing on a guess.
 */
export async function authorize(
  action: Action,
  actor: string,
  context: AuthorizationContext,
): Promise<AuthorizationResult> {
  const role = requiredRole(action);
  if (role === 'anyone') return { ok: true };
  const who = `@${actor.trim().replace(/^@/, '')}`;
  if (role === 'approver') {
    const principals = approverPrincipals(context.roles, context.target?.config);
    if (!(await holdsPrincipal(principals, actor, context.org, context.membership))) {
      const of = context.target === undefined ? '' : ` of ${context.target.app}/${context.target.environment}`;
      const message = `${who} is not an approver${of} (${listPrincipals('approvers', principals)})`;
      return { ok: false, reason: 'not-allowed', role, message };
    }
    const author = context.planAuthor;
    if (action.name === 'approve' && author !== undefined && normalizeLogin(author) === normalizeLogin(actor)) {
      const message = `${who} wrote this plan and cannot approve it: another approver must (four eyes)`;
      return { ok: false, reason: 'own-plan', role, message };
    }
    return { ok: true };
  }
  if (role === 'developer-or-approver') {
    const developers = context.roles.developer;
    const approvers = approverPrincipals(context.roles, context.target?.config);
    if (await holdsPrincipal([...developers, ...approvers], actor, context.org, context.membership))
      return { ok: true };
    const listed = `${listPrincipals('developer', developers)}; ${listPrincipals('approvers', approvers)}`;
    const message = `${who} is neither a developer nor an approver and cannot ${describeAction(action)} (${listed})`;
    return { ok: false, reason: 'not-allowed', role, message };
  }
  const principals = context.roles[CONFIG_ROLE[role]];
  if (await holdsPrincipal(principals, actor, context.org, context.membership)) return { ok: true };
  return {
    ok: false,
    reason: 'not-allowed',
    role,
    message: `${who} is not ${ROLE_NOUN[role]} and cannot ${describeAction(action)} (${listPrincipals(role, principals)})`,
  };
}
