/** Schemas of `roles:` (the repository's) and `projects.<name>.roles:` (a project's, replacing roles one by one). */
import { strictObject } from '../plan/index.ts';
import { principalListSchema } from './field-schemas.ts';
import type { RolesConfig } from './types.ts';

const ROLES_MESSAGE = 'expected roles: a map of project_manager, developer, ops, deployer, acceptor to lists';

/** `roles:`: every role a list, empty when not written. */
export const rolesSchema = strictObject(
  {
    project_manager: principalListSchema.default([]),
    developer: principalListSchema.default([]),
    ops: principalListSchema.default([]),
    deployer: principalListSchema.default([]),
    acceptor: principalListSchema.default([]),
  },
  ROLES_MESSAGE,
).transform(
  (fields): RolesConfig => ({
    projectManager: fields.project_manager,
    developer: fields.developer,
    ops: fields.ops,
    deployer: fields.deployer,
    acceptor: fields.acceptor,
  }),
);

/** A project's `roles:`: only the roles written (an empty list too) replace the repository's. */
export const projectRolesSchema = strictObject(
  {
    project_manager: principalListSchema.optional(),
    developer: principalListSchema.optional(),
    ops: principalListSchema.optional(),
    deployer: principalListSchema.optional(),
    acceptor: principalListSchema.optional(),
  },
  ROLES_MESSAGE,
).transform((fields): Partial<RolesConfig> => {
  const roles: Partial<RolesConfig> = {};
  if (fields.project_manager !== undefined) roles.projectManager = fields.project_manager;
  if (fields.developer !== undefined) roles.developer = fields.developer;
  if (fields.ops !== undefined) roles.ops = fields.ops;
  if (fields.deployer !== undefined) roles.deployer = fields.deployer;
  if (fields.acceptor !== undefined) roles.acceptor = fields.acceptor;
  return roles;
});
