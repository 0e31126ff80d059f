/** The commands the built-in stage scripts run on a host, as the check stage requires them (and pre-flight reports). */

/** Every release needs these on the host, whatever the transfer. */
export const REQUIRED_COMMANDS = ['tar', 'mv', 'ln', 'readlink', 'df', 'rm', 'mkdir', 'sha256sum'] as const;
/** `transfer: pull` downloads with the first of these the host has. */
export const DOWNLOADERS = ['curl', 'wget'] as const;

/** The commands a release with `transfer` and a gzip (or plain tar) package needs, downloaders aside. */
export function requiredCommands(transfer: 'pull' | 'push', gzip: boolean): readonly string[] {
  const base: readonly string[] = transfer === 'pull' ? [...REQUIRED_COMMANDS, 'od', 'wc', 'tr'] : REQUIRED_COMMANDS;
  return gzip ? [...base, 'gzip'] : base;
}
