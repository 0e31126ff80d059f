/**
 * What an operator may change on a library instance without touching what runs: its description, owner, labels, and
 * whether it is the service's baseline. One schema for the lanes API and the CLI (`yardmaster lanes edit`), bounded
 * like the database's CHECKs (migration 0024). Labels are a merge patch: a value sets the label, `null` removes it.
 */
import { z } from 'zod';

export const MAX_DESCRIPTION = 500;
export const MAX_OWNER = 100;
export const MAX_LABELS = 32;
export const MAX_LABEL_VALUE = 200;

/** No control characters (new lines, escapes): every field is shown on one line in `lanes list` and the dashboard. */
const printable = (max: number, what: string) =>
  z
    .string()
    .max(max, { error: `${what} is limited to ${max} characters` })
    .refine((text) => !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(text), {
      error: `${what} must be one line without control characters`,
    });

export const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;

const LABEL_KEY_RULE = 'a label key is 1 to 63 letters, digits, ".", "_", "/" or "-", starting with a letter or digit';

export const metadataPatchSchema = z
  .object({
    description: printable(MAX_DESCRIPTION, 'description').optional(),
    owner: printable(MAX_OWNER, 'owner').optional(),
    labels: z
      .record(z.string(), printable(MAX_LABEL_VALUE, 'a label value').nullable())
      // A change may name every label it removes besides every one it sets; what is kept is bounded when it is applied.
      .refine((labels) => Object.keys(labels).length <= 2 * MAX_LABELS, {
        error: `at most ${2 * MAX_LABELS} labels in one change`,
      })
      .superRefine((labels, context) => {
        const bad = Object.keys(labels).find((key) => !LABEL_KEY.test(key));
        if (bad !== undefined)
          context.addIssue({ code: 'custom', message: `${LABEL_KEY_RULE}, not ${JSON.stringify(bad.slice(0, 80))}` });
      })
      .optional(),
    baseline: z.boolean().optional(),
  })
  .strict()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: 'nothing to change: give description, owner, labels or baseline',
  });

export type MetadataPatch = z.infer<typeof metadataPatchSchema>;

/** The labels after `patch`: set what it gives, drop what it names with null. */
export function patchedLabels(
  current: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const next = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  return Object.fromEntries(next);
}
