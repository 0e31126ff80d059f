/**
 * The App's lanes (startAppLanes, as the server starts them) for tests of catalog services on sshd lane hosts: the
 * node data plane on free ports, the fleet's SSH identity, the operator's artifact rule rooted at `artifactsDir`,
 * and every warning kept in `warnings`.
 */
import type { Database } from '../../src/db/types.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import { startAppLanes } from '../../src/lanes/start-app-lanes.ts';
import type { LanesServer } from '../../src/lanes/start-lanes-server.ts';
import { lanesApiPackageRule } from '../../src/policy/index.ts';
import { connectWith } from './release-fixtures.ts';
import type { SshdFleet } from './sshd.ts';

export async function startSshAppLanes(options: {
  database: Database;
  catalog: LaneCatalog;
  token: string;
  fleet: SshdFleet;
  artifactsDir: string;
  warnings: string[];
}): Promise<LanesServer> {
  const { fleet, artifactsDir, warnings } = options;
  const started = await startAppLanes(
    options.database,
    {
      enabled: true,
      routerPort: 0,
      apiPort: 0,
      token: options.token,
      catalog: options.catalog,
      routerUrl: 'http://127.0.0.1:9',
      domain: undefined,
      dataPlane: 'node',
      haproxySocket: undefined,
    },
    {
      info: () => undefined,
      warn: (fields, message) => {
        warnings.push(`${message} ${JSON.stringify(fields)}`);
      },
    },
    connectWith(fleet.privateKey, fleet.user),
    undefined,
    { artifactsDir, packageProblem: lanesApiPackageRule(artifactsDir) },
  );
  return started.server;
}
