/** Schema of `strategy:`; the allowed fields depend on the mode, so the mode is checked before the rest. */
import { z } from 'zod';
import { batchSizeSchema, durationSchema, integerSchema } from './field-schemas.ts';
import { strictObject } from './strict-object.ts';
import type { Strategy } from './types.ts';

const DEFAULT_CONCURRENCY = 20;

// Fields that only mean something in one mode; given in another mode they are a mistake, not something to ignore.
const FIELD_MODE: Readonly<Record<string, Strategy['mode']>> = {
  concurrency: 'parallel',
  batch_size: 'batches',
  canary: 'batches',
  pause: 'batches',
};

/** The default rollout: one host after another, stop at the first failure. */
export const DEFAULT_STRATEGY: Strategy = { mode: 'serial', maxFailures: 0 };

/** `strategy: { mode, concurrency | batch_size, canary, pause, max_failures }`. */
export const strategySchema = strictObject({
  mode: z.enum(['serial', 'parallel', 'batches']).default('serial'),
  concurrency: integerSchema(1, 10_000).optional(),
  batch_size: batchSizeSchema.optional(),
  canary: integerSchema(0).optional(),
  pause: durationSchema().optional(),
  max_failures: integerSchema(0).default(0),
}).transform((fields, ctx): Strategy => {
  const misplaced = Object.entries(FIELD_MODE).filter(
    ([name, mode]) => mode !== fields.mode && fields[name] !== undefined,
  );
  for (const [name, mode] of misplaced) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `only applies to mode: ${mode} (this strategy is ${fields.mode})`,
      input: fields[name],
    });
  }
  if (misplaced.length > 0) return z.NEVER;
  const maxFailures = fields.max_failures;
  switch (fields.mode) {
    case 'serial':
      return { mode: 'serial', maxFailures };
    case 'parallel':
      return { mode: 'parallel', concurrency: fields.concurrency ?? DEFAULT_CONCURRENCY, maxFailures };
    case 'batches':
      if (fields.batch_size === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['batch_size'],
          message: 'missing required field (mode: batches needs a batch_size like 2 or 25%)',
          input: undefined,
        });
        return z.NEVER;
      }
      return {
        mode: 'batches',
        batchSize: fields.batch_size,
        canary: fields.canary ?? 0,
        pauseMs: fields.pause ?? 0,
        maxFailures,
      };
  }
});
