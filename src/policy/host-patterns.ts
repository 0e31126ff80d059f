/** Host entries of a policy rule: CIDR blocks and single addresses (IPv4/IPv6), or host name globs. */
import { BlockList, isIP } from 'node:net';
import { globMatches } from './glob.ts';

/** One validated host pattern. */
export type HostPattern =
  | { kind: 'cidr'; family: 'ipv4' | 'ipv6'; network: string; prefix: number }
  | { kind: 'name'; glob: string };

const NAME_GLOB = /^[A-Za-z0-9*?]([A-Za-z0-9*?._-]*[A-Za-z0-9*?])?$/;

/** `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1: rules written for IPv4 must see it as such. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}

/**
 * Reads one `hosts:` entry of a rule: `10.20.0.0/16`, `fd00::/8`, `127.0.0.1`, `*.prod.acme.internal`.
 *
 * @returns the pattern, or a message saying what is wrong with it.
 */
export function parseHostPattern(text: string): { ok: true; pattern: HostPattern } | { ok: false; message: string } {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = unmapped(slash === -1 ? trimmed : trimmed.slice(0, slash));
  const family = isIP(address);
  if (family !== 0) {
    const max = family === 4 ? 32 : 128;
    const prefixText = slash === -1 ? String(max) : trimmed.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      return { ok: false, message: `expected a prefix length from 0 to ${max} after the /` };
    return { ok: true, pattern: { kind: 'cidr', family: family === 4 ? 'ipv4' : 'ipv6', network: address, prefix } };
  }
  if (slash !== -1) return { ok: false, message: 'expected an IPv4 or IPv6 network before the / (like 10.20.0.0/16)' };
  if (!NAME_GLOB.test(trimmed))
    return { ok: false, message: 'expected a CIDR block, an IP address or a host name glob (like *.prod.example.com)' };
  return { ok: true, pattern: { kind: 'name', glob: trimmed } };
}

/** A compiled list of host patterns. */
export interface HostMatcher {
  /** Whether `address` (as the repo config writes it: an IP literal or a name) is one of the patterns. */
  matches(address: string): boolean;
}

/**
 * Compiles host patterns. An IP literal matches only CIDR blocks (node:net BlockList); a name only name globs. Names
 * are never resolved: the policy speaks of what the config says, and a name that resolves elsewhere tomorrow is the
 * same name the operator allowed.
 */
export function hostMatcher(patterns: readonly HostPattern[]): HostMatcher {
  const blocks = new BlockList();
  const globs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.kind === 'cidr') blocks.addSubnet(pattern.network, pattern.prefix, pattern.family);
    else globs.push(pattern.glob);
  }
  return {
    matches(address) {
      const bare = unmapped(address.replace(/^\[(.*)\]$/, '$1'));
      const family = isIP(bare);
      if (family !== 0) return blocks.check(bare, family === 4 ? 'ipv4' : 'ipv6');
      return globs.some((glob) => globMatches(glob, bare));
    },
  };
}
