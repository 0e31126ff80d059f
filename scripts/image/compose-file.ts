/**
 * deploy/compose.yml as the image check reads it: the services that run the Yardmaster image, with their
 * environment interpolated as Compose does (`${NAME}`, `${NAME:-default}`, `${NAME:?message}`, `$$`).
 */
import { parse } from 'yaml';
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z
    .union([z.string(), z.object({ context: z.string().optional(), dockerfile: z.string().optional() })])
    .optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  user: scalar.optional(),
  environment: z.union([z.record(z.string(), scalar.nullable()), z.array(z.string())]).optional(),
  secrets: z.array(z.union([z.string(), z.object({ source: z.string(), target: z.string().optional() })])).optional(),
  volumes: z.array(z.union([z.string(), z.object({ source: z.string().optional(), target: z.string() })])).optional(),
});
const composeSchema = z.object({ services: z.record(z.string(), serviceSchema) });

/** One service that runs the Yardmaster image. */
export interface YardmasterService {
  name: string;
  role: 'server' | 'worker';
  command: string[];
  /** Variable → value as written (not yet interpolated). */
  environment: Record<string, string>;
  /** Where each mounted secret appears in the container: `/run/secrets/<target>`. */
  secretPaths: string[];
  volumeTargets: string[];
  user: string | undefined;
}

function commandOf(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  return typeof command === 'string' ? command.split(/\s+/).filter((word) => word !== '') : command;
}

function environmentOf(environment: z.infer<typeof serviceSchema>['environment']): Record<string, string> {
  if (environment === undefined) return {};
  if (Array.isArray(environment))
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)]),
  );
}

function volumeTarget(volume: string | { target: string }): string {
  if (typeof volume !== 'string') return volume.target;
  const parts = volume.split(':');
  return parts.length === 1 ? (parts[0] ?? '') : (parts[1] ?? '');
}

/** The services of `text` (a compose file) that run the image built from the project's Dockerfile. */
export function yardmasterServices(text: string): YardmasterService[] {
  const compose = composeSchema.parse(parse(text, { merge: true }));
  return Object.entries(compose.services)
    .filter(([, service]) => service.build !== undefined || service.image?.startsWith('yardmaster') === true)
    .map(([name, service]) => {
      const command = commandOf(service.command);
      return {
        name,
        role: command.includes('worker') ? ('worker' as const) : ('server' as const),
        command,
        environment: environmentOf(service.environment),
        secretPaths: (service.secrets ?? []).map(
          (secret) => `/run/secrets/${typeof secret === 'string' ? secret : (secret.target ?? secret.source)}`,
        ),
        volumeTargets: (service.volumes ?? []).map(volumeTarget),
        user: service.user === undefined ? undefined : String(service.user),
      };
    });
}

const REFERENCE = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** `value` with Compose's variables replaced from `vars`; a `${NAME:?…}` without a value is a problem. */
export function interpolate(
  value: string,
  vars: Readonly<Record<string, string>>,
): { ok: true; value: string } | { ok: false; problem: string } {
  let problem: string | undefined;
  const replaced = value.replace(
    REFERENCE,
    (_whole, dollar: string, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (dollar === '$') return '$';
      const name = braced ?? bare ?? '';
      const given = vars[name];
      const missing = operator?.startsWith(':') === true ? given === undefined || given === '' : given === undefined;
      if (!missing) return given ?? '';
      if (operator?.endsWith('?') === true) {
        problem ??= `${name} must be set (${argument ?? ''})`;
        return '';
      }
      return operator?.endsWith('-') === true ? (argument ?? '') : '';
    },
  );
  return problem === undefined ? { ok: true, value: replaced } : { ok: false, problem };
}
