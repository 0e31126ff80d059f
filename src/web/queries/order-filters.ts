/** The work-order list's filters, parsed from the query string (bad values are reported, never thrown). */
import { z } from 'zod';
import { WORK_ORDER_STATES } from '../../db/vocabulary.ts';
import { endOfRange, instantField, nameField, pageField, queryReader } from './query-fields.ts';

/** What the list may be narrowed to; absent fields do not filter. */
export interface OrderFilters {
  project?: string;
  app?: string;
  environment?: string;
  state?: (typeof WORK_ORDER_STATES)[number];
  /** A login: requester, plan author, deployer, acceptor or an approver of the order. */
  person?: string;
  /** Orders opened at or after. */
  from?: Date;
  /** Orders opened at or before (a bare day: the whole day). */
  to?: Date;
  page: number;
}

/** Filters from `query`, and one message per value that was ignored because it is invalid. */
export function parseOrderFilters(query: URLSearchParams): { filters: OrderFilters; problems: string[] } {
  const filters: OrderFilters = { page: 1 };
  const reader = queryReader(query);
  reader.take('project', nameField, (value) => (filters.project = value));
  reader.take('app', nameField, (value) => (filters.app = value));
  reader.take('environment', nameField, (value) => (filters.environment = value));
  reader.take('state', z.enum(WORK_ORDER_STATES), (value) => (filters.state = value));
  reader.take('person', nameField, (value) => (filters.person = value));
  reader.take('from', instantField, (value) => (filters.from = value));
  reader.take('to', instantField, (value) => (filters.to = endOfRange(value)));
  reader.take('page', pageField, (value) => (filters.page = value));
  return { filters, problems: reader.problems };
}
