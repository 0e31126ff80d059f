/**
 * `yardmaster lanes replace` and `lanes edit`: a version's new build switched to without a gap, and an instance's
 * metadata (description, owner, labels, baseline), with the lanes API's rules (one zod schema for both).
 */
import {
  metadataPatchSchema,
  modifyInstance,
  replaceInstance,
  MAX_DRAIN_MS,
  type LaneDeps,
} from '../../lanes/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';

export interface LibraryValues {
  json: boolean;
  baseline?: boolean | undefined;
  'no-baseline'?: boolean | undefined;
  digest?: string | undefined;
  'drain-ms'?: string | undefined;
  url?: string | undefined;
  description?: string | undefined;
  owner?: string | undefined;
  label?: string[] | undefined;
  unlabel?: string[] | undefined;
}

/**
 * `lanes replace <service> <version> --digest <sha256> [--drain-ms <ms>] [--url <package>]` (`--url`: where the new
 * build's package is, for an ssh service whose catalog package of the version is another build; the operator's
 * command, so the artifact rule the lanes API applies to its token is not asked here).
 */
export async function replaceCommand(
  deps: LaneDeps,
  service: string,
  version: string,
  values: LibraryValues,
  io: CliIo,
): Promise<number> {
  const digest = values.digest ?? '';
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    io.stderr.write('lanes replace needs --digest <sha256 of the new package, 64 hex digits 0-9a-f>\n');
    return EXIT_INVALID;
  }
  const drainMs = values['drain-ms'] === undefined ? undefined : Number(values['drain-ms']);
  if (drainMs !== undefined && !(Number.isInteger(drainMs) && drainMs >= 0 && drainMs <= MAX_DRAIN_MS)) {
    io.stderr.write(`lanes replace --drain-ms: expected whole milliseconds from 0 to ${MAX_DRAIN_MS}\n`);
    return EXIT_INVALID;
  }
  const result = await replaceInstance(deps, service, version, {
    digest,
    ...(drainMs === undefined ? {} : { drainMs }),
    ...(values.url === undefined || values.url === '' ? {} : { url: values.url }),
  });
  if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  else if (result.ok)
    io.stdout.write(
      `${service}@${version}: build ${result.from || '(none)'} → ${result.to} at ${result.endpoint}; ` +
        `lanes moved: ${result.lanes.join(', ') || 'none'}${result.baseline ? '; baseline' : ''}; old build stopped\n`,
    );
  else io.stderr.write(`${result.message}\n`);
  return result.ok ? EXIT_OK : EXIT_FAILED;
}

/** `--label key=value` and `--unlabel key` as the labels merge patch; a string when one is malformed. */
function labelPatch(values: LibraryValues): Record<string, string | null> | string | undefined {
  if (values.label === undefined && values.unlabel === undefined) return undefined;
  const patch: Record<string, string | null> = {};
  for (const pair of values.label ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) return `--label ${pair}: expected key=value`;
    patch[pair.slice(0, at)] = pair.slice(at + 1);
  }
  for (const key of values.unlabel ?? []) patch[key] = null;
  return patch;
}

/** `lanes edit <service> <version> [--description …] [--owner …] [--label k=v]… [--unlabel k]… [--baseline|--no-baseline]`. */
export async function editCommand(
  deps: LaneDeps,
  service: string,
  version: string,
  values: LibraryValues,
  io: CliIo,
): Promise<number> {
  if (values.baseline === true && values['no-baseline'] === true) {
    io.stderr.write('lanes edit: --baseline or --no-baseline, not both\n');
    return EXIT_INVALID;
  }
  const labels = labelPatch(values);
  if (typeof labels === 'string') {
    io.stderr.write(`lanes edit ${labels}\n`);
    return EXIT_INVALID;
  }
  const parsed = metadataPatchSchema.safeParse({
    ...(values.description === undefined ? {} : { description: values.description }),
    ...(values.owner === undefined ? {} : { owner: values.owner }),
    ...(labels === undefined ? {} : { labels }),
    ...(values.baseline === true ? { baseline: true } : values['no-baseline'] === true ? { baseline: false } : {}),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(edit)'}: ${issue.message}`);
    io.stderr.write(`lanes edit: ${problems.join('; ')}\n`);
    return EXIT_INVALID;
  }
  const result = await deps.db.transaction((tx) => modifyInstance(tx, service, version, parsed.data, deps.actor));
  if (!result.ok) {
    io.stderr.write(`${result.message}\n`);
    return EXIT_FAILED;
  }
  if (values.json) io.stdout.write(`${JSON.stringify({ changed: result.changed })}\n`);
  else io.stdout.write(`${service}@${version}: ${result.changed.join(', ') || 'nothing'} changed\n`);
  return EXIT_OK;
}
