/** Schema of one entry of a `hosts:` group. */
import { z } from 'zod';
import { integerSchema, nameSchema, strictObject } from '../plan/index.ts';
import { absolutePathSchema, addressSchema, hostKeySchema, userSchema } from './field-schemas.ts';
import type { HostEntry } from './types.ts';

const DEFAULT_SSH_PORT = 22;
// The local executor runs on this machine; an address is only a label there.
const LOCAL_ADDRESS = 'localhost';

/** `{ name, address, port, user, host_key, deploy_to, executor }` with defaults applied. */
export const hostEntrySchema = strictObject(
  {
    name: nameSchema,
    address: addressSchema.optional(),
    port: integerSchema(1, 65_535).default(DEFAULT_SSH_PORT),
    user: userSchema.optional(),
    host_key: hostKeySchema.optional(),
    deploy_to: absolutePathSchema.optional(),
    executor: z.enum(['ssh', 'local']).default('ssh'),
  },
  'expected a host: a map with name and address',
).transform((fields, ctx): HostEntry => {
  const address = fields.address ?? (fields.executor === 'local' ? LOCAL_ADDRESS : undefined);
  if (address === undefined) {
    ctx.addIssue({ code: 'custom', path: ['address'], message: 'missing required field', input: undefined });
    return z.NEVER;
  }
  const entry: HostEntry = { name: fields.name, address, port: fields.port, executor: fields.executor };
  if (fields.user !== undefined) entry.user = fields.user;
  if (fields.host_key !== undefined) entry.hostKey = fields.host_key;
  if (fields.deploy_to !== undefined) entry.deployTo = fields.deploy_to;
  return entry;
});

/** A group: a non-empty list of hosts. */
export const hostGroupSchema = z
  .array(hostEntrySchema, { error: 'expected a list of hosts' })
  .min(1, { error: 'a host group needs at least one host' });
