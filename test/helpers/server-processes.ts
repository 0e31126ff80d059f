/**
 * Several real Yardmaster servers (`node src/main.ts`) on one PostgreSQL database, as behind a load balancer: each
 * its own process and port, the same App id, key and webhook secret, talking to one fake GitHub API.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generateAppPrivateKey } from './github-app-server.ts';
import { spawnNode, type SpawnedProcess } from './spawned-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/main.ts');

/** One running server. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  process: SpawnedProcess;
}

/** What every server of a group shares. */
export interface ServerGroupOptions {
  databaseUrl: string;
  githubApiUrl: string;
  /** The working directory (holds app.yml and package.json). */
  cwd: string;
  secret: string;
  /** More environment for every server (e.g. YARDMASTER_LEASE_SECONDS). */
  env?: Record<string, string>;
}

/** A group of servers over one database. */
export interface ServerGroup {
  readonly servers: ServerProcess[];
  /** Starts one more server of the group. */
  start(): Promise<ServerProcess>;
  /** Every server's output, for a failing test. */
  outputs(): string;
  /** SIGKILLs every server still running. */
  kill(): Promise<void>;
}

export function serverGroup(options: ServerGroupOptions): ServerGroup {
  const privateKey = generateAppPrivateKey();
  const servers: ServerProcess[] = [];
  const spawned: SpawnedProcess[] = [];
  return {
    servers,
    async start() {
      const main = spawnNode(
        [MAIN],
        {
          DATABASE_URL: options.databaseUrl,
          APP_ID: '123',
          PRIVATE_KEY: privateKey,
          WEBHOOK_SECRET: options.secret,
          PORT: '0',
          HOST: '127.0.0.1',
          GITHUB_API_URL: options.githubApiUrl,
          LOG_LEVEL: 'info',
          YARDMASTER_WORKERS: '0',
          YARDMASTER_CACHE_DIR: join(options.cwd, 'cache'),
          HOME: options.cwd,
          ...options.env,
        },
        options.cwd,
      );
      spawned.push(main);
      // As the other server-start tests: a start on a busy machine may take long (migrations, two shared cores).
      const line = await main.waitForLine((text) => text.includes('"msg":"listening"'), 45_000);
      const server = {
        url: `http://127.0.0.1:${Number(/"port":(\d+)/.exec(line)?.[1])}`,
        pid: main.child.pid ?? 0,
        process: main,
      };
      servers.push(server);
      return server;
    },
    outputs: () => spawned.map((main, index) => `--- server ${index} ---\n${main.output()}`).join('\n'),
    async kill() {
      for (const main of spawned) {
        if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill('SIGKILL');
        await main.exited().catch(() => undefined);
      }
    },
  };
}
