/** Schema of the operator's policy file (`YARDMASTER_POLICY`). */
import { z } from 'zod';
import { formatTtl, MAX_OPERATOR_LANE_TTL_MS } from '../lanes/index.ts';
import { durationSchema, strictObject } from '../plan/index.ts';
import { parseHostPattern } from './host-patterns.ts';
import { DEFAULT_MAX_LANE_INSTANCES, DEFAULT_MAX_LANE_TTL_MS } from './limits.ts';
import type { PolicyFile, PolicyRule } from './types.ts';

const REPO_GLOB = /^[A-Za-z0-9._*?-]+\/[A-Za-z0-9._*?-]+$/;
const REPO_GLOB_MESSAGE = 'expected an owner/name glob like "acme/*" or "acme/shop"';
const STRING_LIST = 'expected a list of strings';
const INSTANCES_MESSAGE = 'expected a whole number from 0 to 10000';

const hostPatternSchema = z
  .string({ error: 'expected a CIDR block, an IP address or a host name glob as a string' })
  .check((ctx) => {
    const parsed = parseHostPattern(ctx.value);
    if (!parsed.ok) ctx.issues.push({ code: 'custom', message: parsed.message, input: ctx.value });
  });

/**
 * A URL prefix packages may use: `https://…`, `http://…` or `file:///…` (an absolute directory; `..` is refused so
 * that the prefix means what it says). Normalised the way package URLs are before they are compared.
 */
const artifactPrefixSchema = z.string({ error: 'expected a URL prefix as a string' }).transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a URL prefix like "https://artifacts.example.com/" or "file:///srv/artifacts/"',
      input: text,
    });
    return z.NEVER;
  }
  if (!['https:', 'http:', 'file:'].includes(url.protocol)) {
    ctx.addIssue({
      code: 'custom',
      message: `unsupported URL scheme "${url.protocol}"; expected https://, http:// or file://`,
      input: text,
    });
    return z.NEVER;
  }
  if (url.protocol === 'file:' && (url.hostname !== '' || text.split('/').includes('..'))) {
    ctx.addIssue({
      code: 'custom',
      message: 'a file:// prefix must name a local directory without ".." segments, like "file:///srv/artifacts/"',
      input: text,
    });
    return z.NEVER;
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    ctx.addIssue({
      code: 'custom',
      message: 'a prefix must not contain credentials, a query or a fragment',
      input: text,
    });
    return z.NEVER;
  }
  return url.href;
});

const NOT_A_DURATION = 'expected a duration like 72h or 30m';

// The lane library keeps no lane longer than MAX_OPERATOR_LANE_TTL_MS, whoever asks (its expiry must stay a storable date).
const laneTtlBoundSchema = durationSchema(1, MAX_OPERATOR_LANE_TTL_MS, {
  notString: 'expected a duration like 72h',
  notDuration: NOT_A_DURATION,
  tooShort: () => NOT_A_DURATION,
  tooLong: () => `expected at most ${formatTtl(MAX_OPERATOR_LANE_TTL_MS)}`,
});

const ruleSchema = strictObject(
  {
    match: z.string({ error: REPO_GLOB_MESSAGE }).regex(REPO_GLOB, { error: REPO_GLOB_MESSAGE }),
    hosts: z.array(hostPatternSchema, { error: 'expected a list of CIDR blocks, addresses or host name globs' }),
    ssh_identity: z
      .string({ error: 'expected the absolute path of a private key file' })
      .startsWith('/', { error: 'expected an absolute path' })
      .optional(),
    executors: z
      .array(z.enum(['ssh', 'local'], { error: 'expected ssh or local' }), { error: STRING_LIST })
      .default(['ssh']),
    artifacts: z.array(artifactPrefixSchema, { error: STRING_LIST }).optional(),
    max_lane_ttl: laneTtlBoundSchema.default(DEFAULT_MAX_LANE_TTL_MS),
    max_lane_instances: z
      .number({ error: INSTANCES_MESSAGE })
      .int({ error: INSTANCES_MESSAGE })
      .min(0, { error: INSTANCES_MESSAGE })
      .max(10_000, { error: INSTANCES_MESSAGE })
      .default(DEFAULT_MAX_LANE_INSTANCES),
    allow_custom_commands: z.boolean({ error: 'expected true or false' }).default(true),
  },
  'expected a rule: a map with match and hosts',
).transform((fields): PolicyRule => {
  const rule: PolicyRule = {
    match: fields.match,
    hosts: fields.hosts.map((host) => host.trim()),
    executors: [...new Set(fields.executors)],
    maxLaneTtlMs: fields.max_lane_ttl,
    maxLaneInstances: fields.max_lane_instances,
    allowCustomCommands: fields.allow_custom_commands,
  };
  if (fields.artifacts !== undefined) rule.artifacts = fields.artifacts;
  if (fields.ssh_identity !== undefined) rule.sshIdentity = fields.ssh_identity;
  return rule;
});

/** `repos:` — the rules, in order: the first whose `match` fits a repository decides what it may do. */
export const policyFileSchema = strictObject(
  { repos: z.array(ruleSchema, { error: 'expected a list of rules' }) },
  'expected a policy: a map with repos',
).transform((fields): PolicyFile => ({ repos: fields.repos }));
