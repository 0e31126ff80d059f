/**
 * The command options about the people an order names (src/workorders/README.md, "Named people"):
 *
 * - `--override-named "<reason>"` (or `--override-named=<reason>`): someone who holds the step's role acts instead
 *   of the named person. It is the last option of the line: its reason is the rest of the line, one pair of quotes
 *   dropped, like `--override-freeze`. `/abort disk full --override-named "dave is away"` aborts with the reason
 *   "disk full" and the override reason "dave is away".
 * - `/deploy <env> plan-author=@carol deployer=@dave acceptor=@pam`: the people of a PR deployment, each at most
 *   once, `@` optional.
 */
import { readTextArgument } from './command-text.ts';
import type { NamedOverride, NamedPeople } from './types.ts';

export const OVERRIDE_NAMED = '--override-named';

/** The words of `/deploy <env>` people options, and the field each fills. */
export const PEOPLE_OPTIONS: Readonly<Record<string, keyof NamedPeople>> = {
  'plan-author': 'planAuthor',
  deployer: 'deployer',
  acceptor: 'acceptor',
};

// GitHub's login rule: letters, digits and single hyphens, 1 to 39 characters, not starting with a hyphen.
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** `args` without its `--override-named` option, and that option's reason; or what is wrong with it. */
export type SplitOverride = { ok: true; rest: string; override?: NamedOverride } | { ok: false; message: string };

/** Finds `--override-named` as a word of `args` and takes the rest of the line as its reason. */
export function splitNamedOverride(args: string): SplitOverride {
  const match = /(?:^|\s)--override-named(?=$|[\s=])/.exec(args);
  if (match === null) return { ok: true, rest: args };
  const rest = args.slice(0, match.index).trim();
  const value = args.slice(match.index + match[0].length).replace(/^=/, '');
  if (/(?:^|\s)--override-/.test(value)) {
    return { ok: false, message: `${OVERRIDE_NAMED} "<reason>" must be the last option of the line` };
  }
  const text = readTextArgument(value);
  if (!text.ok) return text;
  if (text.text === '')
    return { ok: false, message: `${OVERRIDE_NAMED} needs a reason, which is recorded with the person named` };
  return { ok: true, rest, override: { reason: text.text } };
}

/** `key=@login` words after `/deploy <env>`; or what is wrong with one of them. */
export function parsePeopleOptions(
  words: readonly string[],
): { ok: true; people: NamedPeople } | { ok: false; message: string } {
  const people: NamedPeople = {};
  for (const word of words) {
    const [key = '', value = '', ...more] = word.split('=');
    const field = Object.hasOwn(PEOPLE_OPTIONS, key.toLowerCase()) ? PEOPLE_OPTIONS[key.toLowerCase()] : undefined;
    if (field === undefined) {
      const known = Object.keys(PEOPLE_OPTIONS).map((name) => `${name}=@login`);
      return { ok: false, message: `"${word}" is not an option (options: ${known.join(', ')})` };
    }
    const login = value.replace(/^@/, '');
    if (more.length > 0 || !LOGIN.test(login)) return { ok: false, message: `"${word}": ${key} needs a GitHub login` };
    if (people[field] !== undefined) return { ok: false, message: `${key} is given twice` };
    people[field] = login;
  }
  return { ok: true, people };
}

/**
 * The `--override-named "<reason>"` line of a plan comment: a line of its own outside fenced code blocks (the plan
 * block is one), so that the plan itself stays what was written. Undefined when there is none or it has no reason.
 */
export function planCommentOverride(markdown: string): NamedOverride | undefined {
  let fence: string | undefined;
  for (const raw of markdown.split(/\r?\n|\r/)) {
    const line = raw.trim();
    const marker = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (marker.startsWith(fence) && line === marker) fence = undefined;
      continue;
    }
    if (fence !== undefined || !line.startsWith(OVERRIDE_NAMED)) continue;
    const split = splitNamedOverride(line);
    if (split.ok && split.rest === '' && split.override !== undefined) return split.override;
  }
  return undefined;
}
