/** Links to GitHub pages (not the API): github.com for api.github.com, the host itself for GitHub Enterprise. */

/** The web root for a REST API root: `https://api.github.com` → `https://github.com`, `https://ghe/api/v3` → `https://ghe`. */
export function githubWebUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}

/** An issue's or pull request's page (GitHub sends `/issues/<n>` of a pull request on to `/pull/<n>`). */
export function issueUrl(webUrl: string, repoFullName: string, number: number): string {
  return `${webUrl}/${repoFullName}/issues/${number}`;
}
