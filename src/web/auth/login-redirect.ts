/** Sending a browser that is not signed in to sign in, and back to where it was afterwards. */
import type { ServerResponse } from 'node:http';
import { redirect } from './auth-responses.ts';
import { safeReturnPath } from './return-path.ts';

/** `/dashboard/login?return_to=<returnTo>` (a non-dashboard `returnTo` becomes `/dashboard`). */
export function loginUrl(returnTo: string): string {
  return `/dashboard/login?${new URLSearchParams({ return_to: safeReturnPath(returnTo) }).toString()}`;
}

/** Answers 302 to {@link loginUrl}; for pages (an event stream answers 401 instead). */
export function loginRedirect(response: ServerResponse, returnTo: string): void {
  redirect(response, 302, loginUrl(returnTo));
}
