/**
 * `yardmaster lanes export --format gateway-api`: the lane route table (from the database, as `lanes serve` loads
 * it) as Gateway API HTTPRoutes, on stdout or into `--output <file>` (written whole: a temporary file renamed over
 * it). The options are parsed with zod; what HTTPRoute cannot express is in the output's comments, and in one line on
 * stderr. A table that cannot be exported whole (a name that cannot become a Kubernetes name, two instances that
 * would share a backend) is refused with every reason, and nothing is written.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { migrateDatabase, openDatabase } from '../../db/index.ts';
import {
  BACKEND_NAME_TEMPLATE,
  buildGatewayApiExport,
  DEFAULT_BACKEND_NAME,
  DNS_1035_LABEL,
  DNS_1123_LABEL,
  type GatewayApiOptions,
  type GatewayRef,
  gatewayApiSummary,
  isGatewayHostname,
  isObjectName,
  loadRouteTable,
  renderGatewayApiYaml,
} from '../../lanes/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';

/** The options only `lanes export` takes (besides the shared --database-url and --domain). */
export const EXPORT_OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string' },
  namespace: { type: 'string' },
  gateway: { type: 'string', multiple: true },
  'backend-name': { type: 'string' },
  'unavailable-service': { type: 'string' },
} as const;

export const EXPORT_FORMATS = ['gateway-api'] as const;
const DEFAULT_UNAVAILABLE_SERVICE = 'yardmaster-unavailable';
/** The Gateway API's most parentRefs in one route. */
const MAX_GATEWAYS = 32;

const gatewayRef = z.string().transform((text, context): GatewayRef => {
  const slash = text.indexOf('/');
  const namespace = slash === -1 ? undefined : text.slice(0, slash);
  const name = slash === -1 ? text : text.slice(slash + 1);
  if (namespace !== undefined && !DNS_1123_LABEL.test(namespace))
    context.addIssue({
      code: 'custom',
      message: `${JSON.stringify(text)}: ${JSON.stringify(namespace)} is not a namespace name (lower-case letters, digits and -, 63 at most)`,
    });
  else if (!isObjectName(name))
    context.addIssue({
      code: 'custom',
      message: `${JSON.stringify(text)}: expected [<namespace>/]<name>, the name lower-case letters, digits, - and .`,
    });
  return namespace === undefined ? { name } : { name, namespace };
});

const exportSchema = z.object({
  format: z.enum(EXPORT_FORMATS, {
    error: (issue) =>
      issue.input === undefined
        ? `is required: --format ${EXPORT_FORMATS.join(' | ')}`
        : `expected ${EXPORT_FORMATS.join(' or ')}, not ${JSON.stringify(issue.input)}`,
  }),
  output: z.string().min(1, 'expected a file name').optional(),
  namespace: z
    .string()
    .regex(DNS_1123_LABEL, 'expected a namespace name: lower-case letters, digits and -, 63 at most')
    .optional(),
  gateway: z
    .array(gatewayRef, {
      error: 'is required: the Gateway the routes attach to, --gateway [<namespace>/]<name> (repeat for more)',
    })
    .max(MAX_GATEWAYS, `at most ${MAX_GATEWAYS} Gateways`)
    .refine((refs) => new Set(refs.map((ref) => `${ref.namespace ?? ''}/${ref.name}`)).size === refs.length, {
      error: 'a Gateway is named twice',
    }),
  'backend-name': z
    .string()
    .regex(
      BACKEND_NAME_TEMPLATE,
      'expected lower-case letters, digits, - and the placeholders {service} and {version}, 63 characters at most',
    )
    .default(DEFAULT_BACKEND_NAME),
  domain: z
    .string()
    .refine((domain) => isGatewayHostname(domain), 'expected a host name (lower case)')
    .optional(),
  'unavailable-service': z
    .string()
    .regex(DNS_1035_LABEL, 'expected a Service name: a letter, then lower-case letters, digits and -, 63 at most')
    .default(DEFAULT_UNAVAILABLE_SERVICE),
});

/** Writes `text` into `file` whole: a reader never sees half of it. */
async function writeWhole(file: string, text: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  try {
    await writeFile(partial, text, { mode: 0o644 });
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
}

export async function lanesExportCommand(
  values: Readonly<Record<string, unknown>>,
  databaseUrl: string,
  io: CliIo,
): Promise<number> {
  // The shared options (--json, --port …) are not in the schema: a zod object leaves them out.
  const parsed = exportSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      io.stderr.write(`yardmaster lanes export: --${issue.path.slice(0, 1).join('')}: ${issue.message}\n`);
    return EXIT_INVALID;
  }
  const given = parsed.data;
  const options: GatewayApiOptions = {
    gateways: given.gateway,
    backendName: given['backend-name'],
    unavailableService: given['unavailable-service'],
    ...(given.namespace === undefined ? {} : { namespace: given.namespace }),
    ...(given.domain === undefined ? {} : { domain: given.domain }),
  };
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({ url: databaseUrl });
    await migrateDatabase(database);
  } catch (error) {
    io.stderr.write(`cannot open the database: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
  try {
    const built = buildGatewayApiExport(await loadRouteTable(database.db), options);
    if (!built.ok) {
      io.stderr.write(
        `lanes export: the route table cannot be written as Gateway API objects, nothing written:\n${built.problems.map((problem) => `  ${problem}\n`).join('')}`,
      );
      return EXIT_FAILED;
    }
    const text = renderGatewayApiYaml(built.value, options);
    if (given.output === undefined) io.stdout.write(text);
    else await writeWhole(resolve(io.cwd, given.output), text);
    io.stderr.write(gatewayApiSummary(built.value, given.output ?? 'stdout'));
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`lanes export failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  } finally {
    await database.close();
  }
}
