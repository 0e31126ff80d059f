/** Where a plan may fetch its package from. */

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Checks the form of a package location: an `https://` or `http://` URL, a `file://` URL, or a relative or absolute
 * path (no `..` segments, so a plan cannot climb out of the artifact store). Which locations a repository may use is
 * the operator's policy (src/policy): in server mode plain http only to public addresses, files only in the store.
 *
 * @returns `undefined` when the location is acceptable, else a message saying what is wrong.
 */
export function checkArtifactUrl(location: string): string | undefined {
  if (location.trim() === '') return 'expected a package URL or path, got an empty string';
  if (CONTROL_CHARACTERS.test(location)) return 'must not contain control characters (such as a newline)';
  if (!SCHEME.test(location)) {
    return location.split('/').includes('..')
      ? 'a path in the artifact store must not contain ".." segments'
      : undefined;
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
      return url.hostname === '' ? 'an http:// URL needs a host name' : undefined;
    default:
      return `unsupported URL scheme "${url.protocol}"; expected https://, file:// or a path in the artifact store`;
  }
}

/**
 * With `transfer: pull` every host downloads the package from its URL itself, so only an `https://` (or `http://`,
 * as the operator's policy allows) URL can be pulled: a `file://` URL or a path names a file on the controller.
 *
 * @returns `undefined` when the location can be pulled, else why not.
 */
export function pullProblem(location: string): string | undefined {
  if (/^https?:\/\//i.test(location)) return undefined;
  const what = /^file:/i.test(location) ? 'a file:// URL' : 'a path on the controller';
  return `pull needs an https:// package URL that the hosts download themselves; package.url is ${what}, which only the controller can read (use stream, sftp or scp for it)`;
}
