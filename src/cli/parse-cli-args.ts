/** Argument parsing for every command: node's parseArgs, with errors as messages instead of throws. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export type ParsedArgs<T extends Options> =
  | {
      ok: true;
      values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values'];
      positionals: string[];
    }
  | { ok: false; message: string };

export function parseCliArgs<T extends Options>(args: readonly string[], options: T): ParsedArgs<T> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { ok: true, values, positionals };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
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
