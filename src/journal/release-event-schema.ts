/**
 * The engine's events and results as zod schemas, for reading them back from a journal file: what a CLI release
 * wrote is parsed at the boundary like any outside input before it reaches the database.
 */
import { z } from 'zod';
import { HOST_OUTCOMES, STAGE_EVENT_STAGES } from '../db/vocabulary.ts';
import { STAGES, type HostReport, type ReleaseEvent, type ReleaseResult } from '../deploy/types.ts';

/** Longest text field read back (an output line is at most 64 KiB; a message or a host name far less). */
const MAX_TEXT = 70_000;
const text = z.string().max(MAX_TEXT);
const name = z.string().min(1).max(256);
const stage = z.enum(STAGES);
const durationMs = z.number().int().min(0);

const hostFailure = z.object({
  stage,
  exitCode: z.number().int().nullable(),
  message: text,
  lastLines: z.array(text).max(100),
});

const hostReport = z.object({
  host: name,
  outcome: z.enum(HOST_OUTCOMES),
  previousVersion: name.nullable(),
  failure: hostFailure.exactOptional(),
  rolledBackTo: name.nullable().exactOptional(),
  rollbackError: text.exactOptional(),
  durationMs,
}) satisfies z.ZodType<HostReport>;

export const releaseResultSchema = z.object({
  releaseId: name,
  app: name,
  environment: name,
  version: name,
  status: z.enum(['succeeded', 'partial', 'failed', 'aborted']),
  error: text.exactOptional(),
  hosts: z.array(hostReport).max(10_000),
  failedHost: z.object({ host: name, ...hostFailure.shape }).exactOptional(),
  durationMs,
}) satisfies z.ZodType<ReleaseResult>;

const releaseId = name;
const host = name;

export const releaseEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('release.started'),
    releaseId,
    app: name,
    environment: name,
    version: name,
    batches: z.array(z.array(host).max(10_000)).max(10_000),
    at: name,
  }),
  z.object({ type: z.literal('batch.started'), releaseId, batch: z.number().int().min(0), hosts: z.array(host) }),
  z.object({ type: z.literal('host.started'), releaseId, host, batch: z.number().int().min(0) }),
  z.object({ type: z.literal('stage.started'), releaseId, host, stage }),
  z.object({
    type: z.literal('output'),
    releaseId,
    host,
    stage: z.enum(STAGE_EVENT_STAGES),
    stream: z.enum(['stdout', 'stderr']),
    line: text,
  }),
  z.object({
    type: z.literal('stage.finished'),
    releaseId,
    host,
    stage,
    result: z.enum(['ok', 'failed', 'skipped']),
    durationMs,
    exitCode: z.number().int().nullable().exactOptional(),
    message: text.exactOptional(),
  }),
  z.object({ type: z.literal('host.finished'), releaseId, host, report: hostReport }),
  z.object({ type: z.literal('rollback.started'), releaseId, host, to: name.nullable() }),
  z.object({
    type: z.literal('rollback.finished'),
    releaseId,
    host,
    to: name.nullable(),
    ok: z.boolean(),
    message: text.exactOptional(),
  }),
  z.object({ type: z.literal('release.finished'), releaseId, result: releaseResultSchema }),
]) satisfies z.ZodType<ReleaseEvent>;

const hostRollbackReport = z.object({
  host: name,
  from: name.nullable(),
  to: name.nullable(),
  ok: z.boolean(),
  message: text,
  durationMs,
});

/** A standalone rollback's result (the engine's RollbackResult). */
export const rollbackResultSchema = z.object({
  releaseId: name,
  app: name,
  environment: name,
  ok: z.boolean(),
  hosts: z.array(hostRollbackReport).max(10_000),
});
