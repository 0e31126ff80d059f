/**
 * What a release journal holds, one JSON object per line: how the run began (who, which repository, app,
 * environment and hosts), each engine event, the output it left out past the limits, and how it ended.
 */
import { z } from 'zod';
import { releaseEventSchema, releaseResultSchema, rollbackResultSchema } from './release-event-schema.ts';

const name = z.string().min(1).max(256);
const at = z.iso.datetime();

export const journalBeginSchema = z.object({
  type: z.literal('begin'),
  /** A release (deploy, retry, testdrive) or a standalone rollback. */
  kind: z.enum(['release', 'rollback']),
  releaseId: name,
  /** The repository the run is listed under (`local/<app>` for the CLI). */
  repo: z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/),
  app: name,
  environment: name,
  /** The plan's version; for a rollback, the version asked for (`previous` when each host goes back one). */
  version: name,
  /** 1 for a new release; a retry of the same release id counts on. */
  attempt: z.number().int().min(1).max(1000),
  /** `cli:<user>`. */
  actor: z.string().regex(/^cli:[^\s]{1,100}$/),
  at,
  production: z.boolean(),
  deployTo: z.string().min(1).max(4096),
  hosts: z.array(name).max(10_000),
  /** The writing process: a journal without an end whose writer is gone was cut off (the process was killed). */
  pid: z.number().int().min(1),
  hostname: z.string().max(256),
});

export const journalEventSchema = z.object({ type: z.literal('event'), at, event: releaseEventSchema });

/** Output of a host's stage that the journal left out once the limits were reached (only counted). */
export const journalDroppedSchema = z.object({
  type: z.literal('dropped'),
  host: name,
  stage: name,
  lines: z.number().int().min(0),
  bytes: z.number().int().min(0),
});

export const journalEndSchema = z.discriminatedUnion('kind', [
  z.object({ type: z.literal('end'), kind: z.literal('release'), at, result: releaseResultSchema }),
  z.object({ type: z.literal('end'), kind: z.literal('rollback'), at, result: rollbackResultSchema }),
]);

export const journalLineSchema = z.union([
  journalBeginSchema,
  journalEventSchema,
  journalDroppedSchema,
  journalEndSchema,
]);

export type JournalBegin = z.infer<typeof journalBeginSchema>;
export type JournalEnd = z.infer<typeof journalEndSchema>;
export type JournalLine = z.infer<typeof journalLineSchema>;
