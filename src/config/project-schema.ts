/** Schema of `projects.<name>`: a group of apps (apps name it in `project:`) with its own roles and subscribers. */
import { strictObject, textSchema } from '../plan/index.ts';
import { notifySchema } from './notify-schema.ts';
import { projectRolesSchema } from './roles-schema.ts';
import type { ProjectConfig } from './types.ts';

/** A description is for people reading the config and the dashboard; one line, bounded. */
const MAX_DESCRIPTION = 200;

export const projectSchema = strictObject(
  {
    description: textSchema('expected a description')
      .refine((text) => text.length <= MAX_DESCRIPTION, { error: `must be at most ${MAX_DESCRIPTION} characters` })
      .refine((text) => !/[\r\n]/.test(text), { error: 'must be one line' })
      .optional(),
    roles: projectRolesSchema.optional(),
    notify: notifySchema.optional(),
  },
  'expected a project: a map with description, roles and notify (all optional)',
).transform((fields): ProjectConfig => {
  const project: ProjectConfig = { roles: fields.roles ?? {} };
  if (fields.description !== undefined) project.description = fields.description;
  if (fields.notify !== undefined) project.notify = fields.notify;
  return project;
});
