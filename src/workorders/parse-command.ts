/**
 * Comment commands. Syntax, as the bot's help shows it:
 *
 * - The command is the first line of the comment (leading blank lines and indentation are skipped); the rest of the
 *   comment is free text for people and is ignored. A comment whose first line is not `/word` is no command, so
 *   quoting a command (`> /approve`), putting it in a code block or writing a path (`/srv/app is full`) does nothing.
 * - Command names are case-insensitive (`/Approve` from a phone's keyboard works).
 * - Text arguments (reasons, comments) are the rest of the line; one pair of surrounding quotes is dropped.
 * - `/approve [comment]`, `/accept [comment]`, `/abort [reason]`: the text is optional and recorded.
 * - `/approve <digest-prefix> [comment]`: a first word of 7 to 64 hex digits is the digest of the plan approved (as
 *   the bot's plan reply shows it); the approval counts only if it is the current plan's. Without it, `/approve`
 *   approves the plan that was current when the comment was written.
 * - `/reject <reason>`, `/lock <reason>`: the reason is required.
 * - `/deploy` starts the order now; `/deploy --override-freeze "<reason>"` (or `--override-freeze=<reason>`) also
 *   during a freeze window. `/deploy <env>` (on a pull request) opens a PR deployment for that environment; it takes
 *   no override, because nothing starts before the plan is approved.
 * - `/deploy <env> plan-author=@carol deployer=@dave acceptor=@pam` names the people of the PR deployment (each
 *   optional): only they act at their step.
 * - `--override-named "<reason>"` on `/deploy`, `/abort`, `/rollback`, `/retry-failed` and `/accept`: someone else
 *   holding the step's role acts instead of the person the order names; the last option of the line, its reason is
 *   the rest of it (named-options.ts).
 * - `/rollback [version]`: the version is checked like a plan's `version`.
 * - `/retry-failed`, `/unlock`, `/preflight`, `/status` take no arguments: `/retry-failed web-2` is refused rather than retrying
 *   more hosts than the author meant.
 */
import { closestMatch, nameSchema, versionSchema } from '../plan/index.ts';
import { readTextArgument } from './command-text.ts';
import { OVERRIDE_NAMED, parsePeopleOptions, splitNamedOverride } from './named-options.ts';
import type { Command } from './types.ts';

/** The result of reading a comment: a command, no command at all, or a command that cannot be run as written. */
export type CommandParseResult =
  | { ok: true; command: Command }
  | { ok: false; reason: 'not-a-command' }
  | { ok: false; reason: 'unknown-command'; word: string; suggestion?: string; message: string }
  | { ok: false; reason: 'bad-arguments'; word: string; usage: string; message: string };

type ArgumentResult = { ok: true; command: Command } | { ok: false; message: string };

interface CommandSpec {
  usage: string;
  parse(args: string): ArgumentResult;
}

const OVERRIDE_FREEZE = '--override-freeze';

function noArguments(command: Command): (args: string) => ArgumentResult {
  // A copy each time: a caller changing one parsed command must not change the next.
  return (args) => (args === '' ? { ok: true, command: { ...command } } : { ok: false, message: 'takes no arguments' });
}

function requiredText(build: (text: string) => Command): (args: string) => ArgumentResult {
  return (args) => {
    const text = readTextArgument(args);
    if (!text.ok) return text;
    if (text.text === '') return { ok: false, message: 'needs a reason' };
    return { ok: true, command: build(text.text) };
  };
}

function optionalText(build: (text: string | undefined) => Command): (args: string) => ArgumentResult {
  return (args) => {
    const text = readTextArgument(args);
    if (!text.ok) return text;
    return { ok: true, command: build(text.text === '' ? undefined : text.text) };
  };
}

function parseOverride(args: string): ArgumentResult {
  const value = args.slice(OVERRIDE_FREEZE.length);
  if (value !== '' && !value.startsWith('=') && !/^\s/.test(value)) {
    return { ok: false, message: `unknown option ${args.split(/[\s=]/)[0] ?? args}` };
  }
  const text = readTextArgument(value.replace(/^=/, ''));
  if (!text.ok) return text;
  if (text.text === '') return { ok: false, message: `${OVERRIDE_FREEZE} needs a reason, which is recorded` };
  return { ok: true, command: { name: 'deploy', overrideFreeze: { reason: text.text } } };
}

function parseDeploy(args: string): ArgumentResult {
  if (args === '') return { ok: true, command: { name: 'deploy' } };
  if (args.startsWith(OVERRIDE_FREEZE)) return parseOverride(args);
  const [environment = '', ...more] = args.split(/\s+/);
  if (environment.startsWith('-')) {
    const suggestion = closestMatch(environment.split('=')[0] ?? environment, [OVERRIDE_FREEZE, OVERRIDE_NAMED]);
    const hint = suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
    return { ok: false, message: `unknown option ${environment}${hint}` };
  }
  const name = nameSchema.safeParse(environment);
  if (!name.success) return { ok: false, message: `"${environment}" is not an environment name` };
  if (more.some((word) => word.startsWith(OVERRIDE_FREEZE))) {
    return {
      ok: false,
      message:
        `with an environment opens a deployment and takes no ${OVERRIDE_FREEZE}; ` +
        `once it is approved, start it with /deploy ${OVERRIDE_FREEZE} "<reason>"`,
    };
  }
  if (more.length > 0 && more.every((word) => !word.includes('=')))
    return { ok: false, message: 'takes one environment' };
  const people = parsePeopleOptions(more);
  if (!people.ok) return people;
  const command: Command = { name: 'open-deployment', environment: name.data };
  return { ok: true, command: more.length === 0 ? command : { ...command, people: people.people } };
}

type Overridable = Extract<Command, { name: 'deploy' | 'abort' | 'rollback' | 'retry-failed' | 'accept' }>;

const OVERRIDABLE: ReadonlySet<Command['name']> = new Set(['deploy', 'abort', 'rollback', 'retry-failed', 'accept']);

function isOverridable(command: Command): command is Overridable {
  return OVERRIDABLE.has(command.name);
}

/** A command's parser that also takes `--override-named "<reason>"` (named-options.ts). */
function overridable(parse: (args: string) => ArgumentResult): (args: string) => ArgumentResult {
  return (args) => {
    const split = splitNamedOverride(args);
    if (!split.ok) return split;
    const parsed = parse(split.rest);
    if (!parsed.ok || split.override === undefined) return parsed;
    if (!isOverridable(parsed.command)) {
      return { ok: false, message: `${OVERRIDE_NAMED} is for the steps of a work order, not for opening one` };
    }
    const overridden: Overridable = { ...parsed.command, overrideNamed: split.override };
    return { ok: true, command: overridden };
  };
}

function parseRollback(args: string): ArgumentResult {
  if (args === '') return { ok: true, command: { name: 'rollback' } };
  const words = args.split(/\s+/);
  const [version = ''] = words;
  if (words.length > 1) return { ok: false, message: 'takes at most one version' };
  const checked = versionSchema.safeParse(version);
  if (!checked.success) {
    return { ok: false, message: `"${version}": ${checked.error.issues[0]?.message ?? 'not a version'}` };
  }
  return { ok: true, command: { name: 'rollback', version: checked.data } };
}

// Shorter prefixes name too few bits to bind to one plan (and are too easily a word of a comment).
const DIGEST_PREFIX = /^[0-9a-f]{7,64}$/i;

function parseApprove(args: string): ArgumentResult {
  const [first = '', ...rest] = args.split(/\s+/);
  if (!DIGEST_PREFIX.test(first)) return optionalText(approve)(args);
  const text = readTextArgument(rest.join(' '));
  if (!text.ok) return text;
  const command: Command = { name: 'approve', digestPrefix: first.toLowerCase() };
  return { ok: true, command: text.text === '' ? command : { ...command, comment: text.text } };
}

const approve = (comment?: string): Command =>
  comment === undefined ? { name: 'approve' } : { name: 'approve', comment };
const accept = (comment?: string): Command =>
  comment === undefined ? { name: 'accept' } : { name: 'accept', comment };
const abort = (reason?: string): Command => (reason === undefined ? { name: 'abort' } : { name: 'abort', reason });

const NAMED = `[${OVERRIDE_NAMED} "<reason>"]`;
const DEPLOY_USAGE =
  `/deploy [--override-freeze "<reason>"] ${NAMED} or, on a pull request, ` +
  '/deploy <environment> [plan-author=@login] [deployer=@login] [acceptor=@login]';

// A Map, not an object: `/constructor` must not find Object.prototype.constructor.
const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map<string, CommandSpec>([
  ['approve', { usage: '/approve [digest-prefix] [comment]', parse: parseApprove }],
  ['reject', { usage: '/reject <reason>', parse: requiredText((reason) => ({ name: 'reject', reason })) }],
  ['deploy', { usage: DEPLOY_USAGE, parse: overridable(parseDeploy) }],
  ['abort', { usage: `/abort [reason] ${NAMED}`, parse: overridable(optionalText(abort)) }],
  ['rollback', { usage: `/rollback [version] ${NAMED}`, parse: overridable(parseRollback) }],
  ['retry-failed', { usage: `/retry-failed ${NAMED}`, parse: overridable(noArguments({ name: 'retry-failed' })) }],
  ['accept', { usage: `/accept [comment] ${NAMED}`, parse: overridable(optionalText(accept)) }],
  ['lock', { usage: '/lock <reason>', parse: requiredText((reason) => ({ name: 'lock', reason })) }],
  ['unlock', { usage: '/unlock', parse: noArguments({ name: 'unlock' }) }],
  ['preflight', { usage: '/preflight', parse: noArguments({ name: 'preflight' }) }],
  ['status', { usage: '/status', parse: noArguments({ name: 'status' }) }],
]);

/** The command words, in the order the help lists them. */
export const COMMAND_WORDS: readonly string[] = [...COMMANDS.keys()];

const COMMAND_LINE = /^\/([A-Za-z][A-Za-z-]*)(?:\s+(.*))?$/;

/** The first line of a comment body, without the indentation and blank lines before it. */
function firstLine(body: string): string {
  const start = body.replace(/^\uFEFF/, '').trimStart();
  const end = start.search(/\r?\n|\r/);
  return (end === -1 ? start : start.slice(0, end)).trim();
}

/**
 * Reads the command at the start of a comment body (syntax at the top of this file). Never throws.
 *
 * @returns the command; `not-a-command` for an ordinary comment; `unknown-command` with a suggestion for a typo;
 *   `bad-arguments` with the usage and what is wrong.
 */
export function parseCommand(body: string): CommandParseResult {
  const match = COMMAND_LINE.exec(firstLine(body));
  if (match === null) return { ok: false, reason: 'not-a-command' };
  const word = (match[1] ?? '').toLowerCase();
  const args = (match[2] ?? '').trim();
  const spec = COMMANDS.get(word);
  if (spec === undefined) {
    const suggestion = closestMatch(word, COMMAND_WORDS);
    const known = COMMAND_WORDS.map((name) => `/${name}`).join(', ');
    const hint = suggestion === undefined ? '' : ` Did you mean /${suggestion}?`;
    const message = `/${word} is not a Yardmaster command.${hint} Commands: ${known}.`;
    return suggestion === undefined
      ? { ok: false, reason: 'unknown-command', word, message }
      : { ok: false, reason: 'unknown-command', word, suggestion: `/${suggestion}`, message };
  }
  const parsed = spec.parse(args);
  if (parsed.ok) return parsed;
  const message = `/${word} ${parsed.message}. Usage: ${spec.usage}`;
  return { ok: false, reason: 'bad-arguments', word, usage: spec.usage, message };
}
