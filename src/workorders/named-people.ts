/**
 * The people a work order names (plan author, deployer, acceptor): when one is named, only they act at their step,
 * or someone else who holds the step's role with `--override-named "<reason>"`, which the caller audits. The role
 * check (authorize.ts) comes first: an override never gives anyone a role.
 *
 * - plan author: writing the plan;
 * - deployer: `/deploy` (start now), `/abort`, `/rollback`, `/retry-failed` — starting or stopping the release;
 * - acceptor: `/accept`.
 */
import type { Action } from './authorize.ts';
import { normalizeLogin } from './roles.ts';
import type { NamedOverride, NamedPeople } from './types.ts';

/** The role word of a named person, as the audit row and the replies say it. */
export type NamedRole = 'plan_author' | 'deployer' | 'acceptor';

const FIELD_OF: Readonly<Record<NamedRole, keyof NamedPeople>> = {
  plan_author: 'planAuthor',
  deployer: 'deployer',
  acceptor: 'acceptor',
};

const NOUN_OF: Readonly<Record<NamedRole, string>> = {
  plan_author: 'plan author',
  deployer: 'deployer',
  acceptor: 'acceptor',
};

/** The named role an action belongs to; undefined for actions anyone with the role may take. */
export function namedRoleOf(action: Action): NamedRole | undefined {
  switch (action.name) {
    case 'write-plan':
      return 'plan_author';
    case 'deploy':
    case 'abort':
    case 'rollback':
    case 'retry-failed':
      return 'deployer';
    case 'accept':
      return 'acceptor';
    default:
      return undefined;
  }
}

/** Someone acting instead of the named person, with the reason they gave: the caller writes it to the audit log. */
export interface StandIn {
  role: NamedRole;
  named: string;
  reason: string;
}

export type NamedCheck =
  | { ok: true; standIn?: StandIn }
  | { ok: false; reason: 'not-named'; role: NamedRole; named: string; message: string };

function howToOverride(action: Action): string {
  if (action.name === 'write-plan') return 'a line --override-named "<reason>" in the plan comment, outside the plan';
  return `/${action.name} --override-named "<reason>"`;
}

/**
 * Whether `actor`, who holds the role `action` needs, may take it on an order naming `named`.
 *
 * @returns ok (with the stand-in to audit when someone else overrides), or a refusal naming the person and the
 *   override.
 */
export function checkNamedPerson(
  action: Action,
  actor: string,
  named: NamedPeople,
  override: NamedOverride | undefined,
): NamedCheck {
  const role = namedRoleOf(action);
  if (role === undefined) return { ok: true };
  const person = named[FIELD_OF[role]];
  if (person === undefined || person === '' || normalizeLogin(person) === normalizeLogin(actor)) return { ok: true };
  const login = person.replace(/^@/, '');
  if (override !== undefined) return { ok: true, standIn: { role, named: login, reason: override.reason } };
  const noun = NOUN_OF[role];
  return {
    ok: false,
    reason: 'not-named',
    role,
    named: login,
    message:
      `this work order names @${login} as its ${noun}: only @${login} acts at this step; ` +
      `another ${noun === 'plan author' ? 'developer' : noun} may act instead with ${howToOverride(action)}, which is recorded`,
  };
}

/** The people of an order row (null columns are nobody named). */
export function namedPeopleOf(row: {
  planAuthor: string | null;
  deployer: string | null;
  acceptor: string | null;
}): NamedPeople {
  const people: NamedPeople = {};
  if (row.planAuthor !== null) people.planAuthor = row.planAuthor;
  if (row.deployer !== null) people.deployer = row.deployer;
  if (row.acceptor !== null) people.acceptor = row.acceptor;
  return people;
}
