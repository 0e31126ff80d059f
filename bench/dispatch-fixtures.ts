/** The dispatch bench's repo: one app, one environment with a local-executor host, one approval by `dave`. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoConfig } from '../src/config/types.ts';
import type { RepoContext } from '../src/workorders/service/types.ts';

/** A package on disk. */
export interface BenchPackage {
  url: string;
  sha256: string;
}

/** A tiny `.tar.gz` (one VERSION file) under `dir`. */
export async function buildTinyPackage(dir: string, version: string): Promise<BenchPackage> {
  const src = join(dir, `src-${version}`);
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'VERSION'), `${version}\n`);
  const path = join(dir, `app-${version}.tar.gz`);
  execFileSync('tar', ['-czf', path, '-C', src, '.']);
  return {
    url: `file://${path}`,
    sha256: createHash('sha256')
      .update(await readFile(path))
      .digest('hex'),
  };
}

/** App `shop`, environment `bench` on one `local` host deploying to `deployTo`. */
export function benchConfig(deployTo: string): RepoConfig {
  return {
    apps: {
      shop: {
        deployTo,
        environments: {
          bench: {
            hosts: ['local'],
            approvals: 1,
            approvers: ['dave'],
            freeze: [],
            production: false,
            env: {},
            secretEnv: [],
          },
        },
      },
    },
    hosts: { local: [{ name: 'local-1', address: '127.0.0.1', port: 22, executor: 'local' }] },
    roles: { projectManager: ['pam'], developer: ['carol'], ops: ['dave'], deployer: ['dave'], acceptor: ['pam'] },
    projects: {},
  };
}

/** Policy context without teams. */
export function benchContext(config: RepoConfig): RepoContext {
  return { config, org: 'acme', membership: { isMember: () => Promise.resolve(false) } };
}

/** A plan comment for `version`. */
export function benchPlan(version: string, pkg: BenchPackage): string {
  return [
    '```yaml',
    'app: shop',
    'environment: bench',
    `version: ${version}`,
    'package:',
    `  url: ${pkg.url}`,
    `  sha256: ${pkg.sha256}`,
    'keep_releases: 2',
    '```',
  ].join('\n');
}
