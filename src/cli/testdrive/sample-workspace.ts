/** Builds the testdrive's workspace: three sample packages, a config and three plans. */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { HostEntry } from '../../config/types.ts';

const run = promisify(execFile);
const SAMPLE_APP = fileURLToPath(new URL('../../../examples/sample-app/', import.meta.url));

export interface SamplePackage {
  version: string;
  file: string;
  sha256: string;
}

/** Packages the sample app as `<version>.tar.gz`; `broken` makes its health check fail on the named host. */
async function samplePackage(dir: string, version: string, brokenOn?: string): Promise<SamplePackage> {
  const src = join(dir, 'src', version);
  await cp(SAMPLE_APP, src, { recursive: true });
  await writeFile(join(src, 'VERSION'), `${version}\n`);
  if (brokenOn !== undefined) {
    // Only the named host's copy fails: the check compares the host's deploy dir name.
    await writeFile(
      join(src, 'bin', 'health.sh'),
      [
        '#!/bin/sh',
        `case "$YM_DEPLOY_TO" in */${brokenOn}|*/${brokenOn}/*) echo "health: ${version} cannot reach its database on this host" >&2; exit 1;; esac`,
        'echo "health: ok"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }
  const file = join(dir, `sample-app-${version}.tar.gz`);
  await run('tar', ['-czf', file, '-C', src, '.']);
  const sha256 = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
  return { version, file, sha256 };
}

export function planYaml(pkg: SamplePackage): string {
  return `app: sample
environment: local
version: ${pkg.version}
package:
  url: ${pkg.file.split('/').pop() ?? pkg.file}
  sha256: ${pkg.sha256}
strategy: { mode: batches, batch_size: 50%, canary: 1, pause: 1s }
commands:
  check: ["test -x /bin/sh"]
  post_deploy: ["bin/serve.sh"]
  health: { command: "bin/health.sh", retries: 1, interval: 1s }
keep_releases: 3
`;
}

export function configYaml(hosts: readonly HostEntry[], deployRoot: string): string {
  const lines = hosts.map((host) => {
    const fields = [
      `name: ${host.name}`,
      `address: ${host.address}`,
      `executor: ${host.executor}`,
      `deploy_to: ${JSON.stringify(host.deployTo ?? join(deployRoot, host.name))}`,
    ];
    if (host.executor === 'ssh')
      fields.push(
        `port: ${host.port}`,
        ...(host.user ? [`user: ${host.user}`] : []),
        ...(host.hostKey ? [`host_key: "${host.hostKey}"`] : []),
      );
    return `    - { ${fields.join(', ')} }`;
  });
  return `apps:
  sample:
    deploy_to: ${JSON.stringify(deployRoot)}
    environments:
      local: { hosts: [testdrive], approvals: 1, env: { GREETING: "hello from yardmaster" } }
hosts:
  testdrive:
${lines.join('\n')}
`;
}

export interface Workspace {
  dir: string;
  packages: SamplePackage[];
}

/** Packages 1.0.0, 1.1.0 and 1.2.0 (unhealthy on the third host) into `dir`. */
export async function buildWorkspace(dir: string, thirdHost: string): Promise<Workspace> {
  await mkdir(dir, { recursive: true });
  const packages = [
    await samplePackage(dir, '1.0.0'),
    await samplePackage(dir, '1.1.0'),
    await samplePackage(dir, '1.2.0', thirdHost),
  ];
  return { dir, packages };
}
