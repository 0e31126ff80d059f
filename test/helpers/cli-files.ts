/** The config and plan files CLI tests write for an sshd fleet: one host group `web` of the fleet's hosts. */
import { join } from 'node:path';
import type { BuiltPackage } from './release-fixtures.ts';
import type { SshdFleet } from './sshd.ts';

/** A config of app `shop` with one environment line (e.g. `staging: { hosts: [web] }`) over the fleet's hosts. */
export function fleetConfigYaml(fleet: SshdFleet, environment: string, options: { pinned?: boolean } = {}): string {
  const pinned = options.pinned ?? true;
  const hosts = fleet
    .hostEntries()
    .map(
      (entry, index) =>
        `    - { name: ${entry.name}, address: 127.0.0.1, port: ${entry.port}, user: ${fleet.user}, deploy_to: ${join(fleet.hosts[index]?.deployTo ?? '', 'shop')}${pinned ? `, host_key: "${entry.hostKey ?? ''}"` : ''} }`,
    );
  return [
    'apps:',
    '  shop:',
    '    deploy_to: /srv/shop',
    '    environments:',
    `      ${environment}`,
    'hosts:',
    '  web:',
    ...hosts,
    '',
  ].join('\n');
}

/** A plan of `shop` to `staging` for `pkg`, with the given strategy and extra lines (e.g. commands). */
export function planYaml(version: string, pkg: BuiltPackage, strategy: string, extra: readonly string[]): string {
  return [
    'app: shop',
    'environment: staging',
    `version: ${version}`,
    'package:',
    `  url: ${pkg.url}`,
    `  sha256: ${pkg.sha256}`,
    `strategy: ${strategy}`,
    ...extra,
    '',
  ].join('\n');
}
