/** Which host names and addresses are the server's own neighbourhood: loopback, private, link-local, unique-local. */
import { BlockList, isIP } from 'node:net';

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

// Names that resolve inside the server's own network by convention; a single label (`db`, `metadata`) too.
const LOCAL_SUFFIXES = [
  '.localhost',
  '.local',
  '.localdomain',
  '.internal',
  '.lan',
  '.home.arpa',
  '.intranet',
  '.corp',
];

/**
 * Whether `hostname` (a URL's hostname: brackets around IPv6 allowed) names this machine or its private network, as
 * written. Names are not resolved (a public name may still point inward: that is why plain http is the exception).
 */
export function isPrivateHost(hostname: string): boolean {
  const bare = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  const address = bare;
  // BlockList checks IPv4-mapped IPv6 addresses (::ffff:7f00:1, as URLs write them) against the IPv4 rules.
  const family = isIP(address);
  if (family !== 0) return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
  if (address === 'localhost' || !address.includes('.')) return true;
  return LOCAL_SUFFIXES.some((suffix) => address.endsWith(suffix));
}
