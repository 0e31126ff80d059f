/**
 * Argument parsing for every command: node's parseArgs, with errors as one clear line instead of throws. The line
 * names the command and the option (`yardmaster deploy: unknown option --foo`), never parseArgs' own wording.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export type ParsedArgs<T extends Options> =
  | {
      ok: true;
      values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values'];
      positionals: string[];
    }
  | { ok: false; message: string };

/** `command` is how the user called it (`deploy`, `secrets`, …): the error line starts with `yardmaster <command>:`. */
export function parseCliArgs<T extends Options>(command: string, args: readonly string[], options: T): ParsedArgs<T> {
  const problem = optionProblem(args, options);
  if (problem !== undefined) return { ok: false, message: `yardmaster ${command}: ${problem}` };
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { ok: true, values, positionals };
  } catch {
    // optionProblem finds every mistake strict parsing rejects; this is the net under it, in the same words.
    return { ok: false, message: `yardmaster ${command}: invalid options ${args.join(' ')}` };
  }
}

/**
 * The first option mistake, in words: an unknown option, a value given to a flag, a missing value. Lenient parsing
 * gives the tokens (a short option comes back under its long name when it is known).
 */
function optionProblem(args: readonly string[], options: Options): string | undefined {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option === undefined) return `unknown option ${token.rawName}`;
    if (option.type === 'boolean') {
      if (token.value !== undefined) return `option ${token.rawName} takes no value`;
    } else if (token.value === undefined) {
      return `option ${token.rawName} needs a value`;
    } else if (!token.inlineValue && token.value.startsWith('-')) {
      return `option ${token.rawName} needs a value, not the option ${token.value} (for a value that starts with "-", write --${token.name}=${token.value})`;
    }
  }
  return undefined;
}

/** The SSH and output flags shared by commands that reach hosts. */
export const hostFlags = {
  config: { type: 'string', short: 'c' },
  identity: { type: 'string', short: 'i' },
  user: { type: 'string', short: 'u' },
  'accept-new-host-keys': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'break-lock': { type: 'boolean', default: false },
} as const;
