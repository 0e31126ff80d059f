/**
 * Calls to named people: when an order reaches a step whose person it names, that person hears of it directly — a
 * Slack DM when the repo config's `slack.users` maps their login, an e-mail when its `email.users` does. Steps:
 * opened (`requested`) → the plan author; `scheduled` and `started` → the deployer; `succeeded` → the acceptor.
 */
import type { RepoConfig } from '../config/types.ts';
import type { WorkOrder } from '../workorders/service/index.ts';
import type { NotifyTarget } from './notify-queue.ts';
import type { KeyEventKind, PersonCall } from './types.ts';

const STEP_OF: Partial<Record<KeyEventKind, PersonCall['role']>> = {
  requested: 'plan_author',
  scheduled: 'deployer',
  started: 'deployer',
  succeeded: 'acceptor',
};

/** The named person of `role` on the order, if any. */
function personOf(order: WorkOrder, role: PersonCall['role']): string | null {
  switch (role) {
    case 'plan_author':
      return order.planAuthor;
    case 'deployer':
      return order.deployer;
    case 'acceptor':
      return order.acceptor;
  }
}

/** A map's value for a login, compared as GitHub compares logins (case-insensitively). */
export function lookupLogin(map: Readonly<Record<string, string>> | undefined, login: string): string | undefined {
  if (map === undefined) return undefined;
  const wanted = login.toLowerCase();
  return Object.entries(map).find(([key]) => key.replace(/^@/, '').toLowerCase() === wanted)?.[1];
}

/** The deliveries that call the order's named person for the step `kind` reaches; none when nobody is named. */
export function personCalls(
  config: RepoConfig,
  order: WorkOrder,
  kind: KeyEventKind,
): { call: PersonCall; target: NotifyTarget }[] {
  const role = STEP_OF[kind];
  if (role === undefined) return [];
  const login = personOf(order, role);
  if (login === null || login === '') return [];
  const call: PersonCall = { login, role };
  const member = lookupLogin(config.slack?.users, login);
  const address = lookupLogin(config.email?.users, login);
  return [
    ...(member === undefined ? [] : [{ call, target: { kind: 'slack', channel: member } satisfies NotifyTarget }]),
    ...(address === undefined ? [] : [{ call, target: { kind: 'email', to: address } satisfies NotifyTarget }]),
  ];
}
