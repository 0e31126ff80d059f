/** Where the browser goes after signing in: only a path of the dashboard, so the login link cannot send users elsewhere. */

/** The default landing page. */
export const DASHBOARD_HOME = '/dashboard';

/**
 * `returnTo` when it is a dashboard path (`/dashboard` or below it, query allowed), else {@link DASHBOARD_HOME}.
 * Refused: `//` and backslashes in the path (browsers read `/\host` as `//host`), anything but printable ASCII, `/dashboardx`,
 * `.`/`..` segments (plain or percent-encoded).
 */
export function safeReturnPath(returnTo: string | null | undefined): string {
  if (returnTo === null || returnTo === undefined || returnTo.length > 2048) return DASHBOARD_HOME;
  // Printable ASCII only: it goes into a Location header (browsers send paths percent-encoded anyway).
  if (/[^\x21-\x7e]/.test(returnTo)) return DASHBOARD_HOME;
  const pathEnd = returnTo.search(/[?#]/);
  const path = pathEnd < 0 ? returnTo : returnTo.slice(0, pathEnd);
  if (path.includes('//') || path.includes('\\')) return DASHBOARD_HOME;
  if (path !== DASHBOARD_HOME && !path.startsWith(`${DASHBOARD_HOME}/`)) return DASHBOARD_HOME;
  if (
    path
      .split('/')
      .some((segment) => segment === '..' || segment === '.' || /%2e/i.test(segment) || /%2f|%5c/i.test(segment))
  )
    return DASHBOARD_HOME;
  return returnTo;
}
