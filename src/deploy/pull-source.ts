/** Checks a package URL for `transfer: pull` on the controller, before any host is touched. */
import { pullProblem } from '../plan/index.ts';
import type { PullSource } from './host-context.ts';
import { redactUrl, type PackageAccess } from './package-source.ts';

/** Characters that cannot appear in the URL handed to curl's config syntax or wget's URL list. */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const UNSAFE = /["\\\s\u0000-\u001f\u007f]/;

/**
 * The URL every host downloads, once the plan's location is one a host can pull and the operator's policy allows it
 * (the same check as a controller download: prefixes, or https anywhere and http only to public addresses).
 * A file:// URL or a path is refused here too, for a `pull` that came from the config rather than the plan.
 */
export function pullSource(
  location: string,
  sha256: string,
  access: PackageAccess | undefined,
): PullSource | { problem: string } {
  const unpullable = pullProblem(location);
  if (unpullable !== undefined) return { problem: `transfer: ${unpullable}` };
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return { problem: `package URL ${redactUrl(location)} is not a valid URL` };
  }
  url.hash = '';
  const href = url.href;
  const refusal = access?.checkUrl(href);
  if (refusal !== undefined) return { problem: `package ${redactUrl(href)} refused: ${refusal}` };
  if (UNSAFE.test(href)) return { problem: `package URL ${redactUrl(href)} holds characters a host cannot be given` };
  return {
    url: href,
    sha256: sha256.toLowerCase(),
    scheme: url.protocol === 'http:' ? 'http' : 'https',
    gzip: /\.(?:gz|tgz)$/i.test(url.pathname),
  };
}
