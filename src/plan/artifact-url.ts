/** Where a plan may fetch its package from. */

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Plain http is only acceptable when the bytes never leave the machine (local testing); the sha256 check still runs.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Checks a package location: an `https://` URL, a `file://` URL, `http://` on a loopback host only, or a relative or
 * absolute path in the artifact store (no `..` segments, so a plan cannot point outside the store).
 *
 * @returns `undefined` when the location is acceptable, else a message saying what is wrong.
 */
export function checkArtifactUrl(location: string): string | undefined {
  if (location.trim() === '') return 'expected a package URL or path, got an empty string';
  if (CONTROL_CHARACTERS.test(location)) return 'must not contain control characters (such as a newline)';
  if (!SCHEME.test(location)) {
    return location.split('/').includes('..') ? 'a path in the artifact store must not contain ".." segments' : undefined;
  }
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return 'not a valid URL';
  }
  if (url.username !== '' || url.password !== '') {
    return 'must not contain a user name or password; give credentials to the server instead';
  }
  switch (url.protocol) {
    case 'https:':
      return url.hostname === '' ? 'an https:// URL needs a host name' : undefined;
    case 'file:':
      return url.hostname === '' || url.hostname === 'localhost' ? undefined : 'a file:// URL must name a local path';
    case 'http:':
      return LOOPBACK_HOSTS.has(url.hostname)
        ? undefined
        : 'http:// is only allowed for 127.0.0.1, localhost or [::1]; use https://';
    default:
      return `unsupported URL scheme "${url.protocol}"; expected https://, file:// or a path in the artifact store`;
  }
}
