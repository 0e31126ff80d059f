/** zod schemas for the scalar fields that plans and the repo config share, each with a message a person can act on. */
import { z } from 'zod';
import { checkArtifactUrl } from './artifact-url.ts';
import { parseBatchSize } from './batch-size.ts';
import { parseZonedDateTime } from './date-time.ts';
import { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.ts';

export const DURATION_MESSAGE = 'expected a duration like 30s or 2m';
export const BATCH_SIZE_MESSAGE = 'expected a count or a percentage like 25%';
export const STRING_LIST_MESSAGE = 'expected a list of strings';
const NAME_MESSAGE =
  "expected a name of letters, digits, '.', '_' or '-' that starts with a letter or digit (at most 63 characters)";
const VERSION_MESSAGE = "expected a version of 1 to 64 letters, digits, '.', '_' or '-', like 2.4.1";
const SCHEDULE_MESSAGE = 'expected a date-time with a time zone, like 2026-11-24T02:00:00Z';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const VERSION = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;

/** A string matching `pattern`; `message` answers both a wrong type and a mismatch. */
export function patternSchema(pattern: RegExp, message: string) {
  return z.string({ error: message }).regex(pattern, { error: message });
}

/** App, environment, host and group names; they end up in paths and log lines, so the alphabet is small. */
export const nameSchema = patternSchema(NAME, NAME_MESSAGE);

/**
 * A release version; it becomes the directory `releases/<version>`, hence no `/` and never `.` or `..`.
 * A bare YAML number (`version: 2.4`) is refused because YAML would already have turned `2.10` into `2.1`.
 */
export const versionSchema = z
  .string({ error: 'expected a version as a string; quote numeric versions, e.g. "2.4"' })
  .regex(VERSION, { error: VERSION_MESSAGE })
  .refine((version) => version !== '.' && version !== '..', { error: 'a version cannot be "." or ".."' });

/** A sha256 digest in hex, normalised to lowercase so that digests compare as strings. */
export const sha256Schema = z
  .string({ error: 'expected a sha256 digest of 64 hex digits' })
  .regex(SHA256, { error: 'expected a sha256 digest of 64 hex digits' })
  .transform((digest) => digest.toLowerCase());

/** A package location; see `checkArtifactUrl`. */
export const artifactUrlSchema = z.string({ error: 'expected a package URL or path as a string' }).check((ctx) => {
  const problem = checkArtifactUrl(ctx.value);
  if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/** A non-empty string without NUL bytes (a NUL cannot be passed to a process). */
export function textSchema(expected: string) {
  return z
    .string({ error: expected })
    .refine((text) => text.trim() !== '', { error: 'must not be empty' })
    .refine((text) => !text.includes('\0'), { error: 'must not contain a NUL byte' });
}

/** Most commands in one stage, and the longest command (characters); a plan is read and shown to approvers. */
export const MAX_COMMANDS = 100;
export const MAX_COMMAND_CHARS = 16 * 1024;
/** Most names in a plan's `hosts:` list. */
export const MAX_HOST_NAMES = 1_000;

/** A list of non-empty strings; a single string stands for a one-element list (`check: "make check"`). */
export const commandListSchema = z.preprocess(
  (value) => (typeof value === 'string' ? [value] : value),
  z
    .array(
      textSchema('expected a command as a string').max(MAX_COMMAND_CHARS, {
        error: `expected a command of at most ${MAX_COMMAND_CHARS} characters`,
      }),
      {
        error: STRING_LIST_MESSAGE,
      },
    )
    .max(MAX_COMMANDS, { error: `expected at most ${MAX_COMMANDS} commands` }),
);

/** A list of names (hosts or groups) in the order given; at least one. */
export const nameListSchema = z
  .array(nameSchema, { error: 'expected a list of names' })
  .min(1, { error: 'expected at least one name' })
  .max(MAX_HOST_NAMES, { error: `expected at most ${MAX_HOST_NAMES} names` });

/** How the package reaches the hosts. */
export const transferSchema = z.enum(['stream', 'sftp', 'scp', 'pull']);

/** What a duration field says when it is refused; each defaults to the plan's wording. */
export interface DurationMessages {
  /** Not a string at all. */
  notString?: string;
  /** Not a duration with a unit. */
  notDuration?: string;
  tooShort?: (text: string) => string;
  tooLong?: (text: string) => string;
}

/**
 * A duration in milliseconds, written with a unit (`30s`); `minMs` excludes e.g. a zero interval, `maxMs` (24h unless
 * said otherwise) keeps waits and timeouts bounded. Other fields (lane TTLs, the policy's bounds) say it their way.
 */
export function durationSchema(minMs = 0, maxMs = MAX_DURATION_MS, messages: DurationMessages = {}) {
  return z.string({ error: messages.notString ?? messages.notDuration ?? DURATION_MESSAGE }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: messages.notDuration ?? DURATION_MESSAGE, input: text });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({
        code: 'custom',
        message: messages.tooShort?.(text) ?? `expected a duration of at least ${minMs}ms`,
        input: text,
      });
      return z.NEVER;
    }
    if (ms > maxMs) {
      ctx.addIssue({
        code: 'custom',
        message:
          messages.tooLong?.(text) ?? `expected a duration of at most ${formatDuration(maxMs)} (got ${text.trim()})`,
        input: text,
      });
      return z.NEVER;
    }
    return ms;
  });
}

/** A batch size: `3` or `25%`. */
export const batchSizeSchema = z
  .union([z.number(), z.string()], { error: BATCH_SIZE_MESSAGE })
  .transform((value, ctx) => {
    const size = parseBatchSize(value);
    if (size === undefined) {
      ctx.addIssue({ code: 'custom', message: BATCH_SIZE_MESSAGE, input: value });
      return z.NEVER;
    }
    return size;
  });

/** A whole number within bounds, with messages that say the bounds. */
export function integerSchema(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` });
}

/**
 * A point in time with an explicit zone. YAML gives a string here (or a Date, with YAML 1.1 timestamps enabled).
 */
export const scheduleSchema = z.union([z.date(), z.string()], { error: SCHEDULE_MESSAGE }).transform((value, ctx) => {
  const instant = value instanceof Date ? value : parseZonedDateTime(value);
  if (instant === undefined || Number.isNaN(instant.getTime())) {
    ctx.addIssue({ code: 'custom', message: SCHEDULE_MESSAGE, input: value });
    return z.NEVER;
  }
  return instant;
});
