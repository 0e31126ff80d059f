/**
 * Whether deploy/compose.yml is true to the image: every variable it gives a Yardmaster service is one Yardmaster
 * reads, each service has what its process requires (the server's and the runtime's own parsers decide), secret
 * paths point at secrets the service mounts, and user and volumes fit the image's user.
 */
import { parseRuntimeEnv } from '../../src/runtime/index.ts';
import { parseServerEnv } from '../../src/server/index.ts';
import { interpolate, type YardmasterService } from './compose-file.ts';

/** What the check knows about the image. */
export interface ImageFacts {
  /** The user the image runs as, by name and uid. */
  user: { name: string; uid: string };
  /** Directories the user may write to, where volumes may be mounted. */
  writableRoots: readonly string[];
}

const SSH_IDENTITY = ['YARDMASTER_SSH_KEY', 'YARDMASTER_SSH_KEY_FILE', 'SSH_AUTH_SOCK'] as const;

/** The service's environment with Compose's variables taken from `vars`, or the problems of doing so. */
export function resolvedEnvironment(
  service: YardmasterService,
  vars: Readonly<Record<string, string>>,
): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(service.environment)) {
    const result = interpolate(raw, vars);
    if (result.ok) env[name] = result.value;
    else problems.push(`${name}: ${result.problem}`);
  }
  return { env, problems };
}

function requirementProblems(service: YardmasterService, env: Record<string, string>): string[] {
  const server = parseServerEnv(env);
  const runtime = parseRuntimeEnv(env, '/app');
  const problems = [...(server.ok ? [] : server.problems), ...(runtime.ok ? [] : runtime.problems)];
  const appMode = server.ok && server.config.mode === 'app';
  if (service.role === 'server') {
    if (server.ok && !appMode)
      problems.push("APP_ID: required (the image sets NODE_ENV=production, where Probot's setup flow does not run)");
    return problems;
  }
  if (runtime.ok && runtime.config.database.kind !== 'postgres')
    problems.push('DATABASE_URL: required by `yardmaster worker` (the embedded database belongs to the server)');
  if (runtime.ok && runtime.config.workers === 0) problems.push('YARDMASTER_WORKERS: must be at least 1 for a worker');
  if (server.ok && !appMode && (env.YARDMASTER_CONFIG ?? '') === '')
    problems.push('APP_ID (with PRIVATE_KEY*, WEBHOOK_SECRET) or YARDMASTER_CONFIG: required by `yardmaster worker`');
  if (!SSH_IDENTITY.some((name) => (env[name] ?? '') !== ''))
    problems.push(`${SSH_IDENTITY.join(' or ')}: required by \`yardmaster worker\` (the identity for the hosts)`);
  return problems;
}

/**
 * The problems of one service: `known` are the variables Yardmaster reads (server-variables.ts), `vars` the values
 * Compose would interpolate (the operator's shell or deploy/.env).
 */
export function checkService(
  service: YardmasterService,
  known: ReadonlySet<string>,
  vars: Readonly<Record<string, string>>,
  image: ImageFacts,
): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(service.environment))
    if (!known.has(name)) problems.push(`${name}: not a variable Yardmaster reads (none of src/ mentions it)`);
  const resolved = resolvedEnvironment(service, vars);
  problems.push(...resolved.problems);
  if (resolved.problems.length === 0) problems.push(...requirementProblems(service, resolved.env));
  for (const [name, value] of Object.entries(resolved.env))
    if (value.startsWith('/run/secrets/') && !service.secretPaths.includes(value))
      problems.push(
        `${name}: ${value} is not a secret this service mounts (${service.secretPaths.join(', ') || 'none'})`,
      );
  if (service.user !== undefined && service.user !== image.user.name && service.user.split(':')[0] !== image.user.uid)
    problems.push(`user: ${service.user} is not the image's user ${image.user.name} (uid ${image.user.uid})`);
  for (const target of service.volumeTargets)
    if (!image.writableRoots.some((root) => target === root || target.startsWith(`${root}/`)))
      problems.push(
        `volume ${target}: not under a directory the image's user owns (${image.writableRoots.join(', ')})`,
      );
  return problems.map((problem) => `service ${service.name}: ${problem}`);
}

/** Every problem of every Yardmaster service; none when there is no such service is itself a problem. */
export function checkCompose(
  services: readonly YardmasterService[],
  known: ReadonlySet<string>,
  vars: Readonly<Record<string, string>>,
  image: ImageFacts,
): string[] {
  if (!services.some((service) => service.role === 'server')) return ['no service runs the Yardmaster server'];
  return services.flatMap((service) => checkService(service, known, vars, image));
}

/** Variables named in deploy/yardmaster.env.example (set or commented out) that Yardmaster does not read. */
export function checkEnvExample(text: string, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(/^#?\s?([A-Z][A-Z0-9_]*)=/gm)) {
    const name = match[1];
    if (name !== undefined && !known.has(name))
      problems.push(`yardmaster.env.example: ${name} is not a variable Yardmaster reads`);
  }
  return problems;
}
