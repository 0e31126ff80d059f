/** `POST /dashboard/logout` (form field `csrf`): the session row deleted, the cookie cleared, on to a signed-out page. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redirect, sendAuthPage } from './auth-responses.ts';
import { readFormBody } from './read-form-body.ts';
import { sameText } from '../../lib/same-text.ts';
import { sessionCookie } from './session-cookie.ts';
import { csrfTokenFor, sessionOf } from './session-lookup.ts';
import { deleteSession } from './session-store.ts';
import type { AuthContext } from './types.ts';

/** Where a signed-out browser lands: the login page in its "signed out" form (no automatic round to GitHub). */
export const SIGNED_OUT_PATH = '/dashboard/login?signed_out=1';

/** Answers a sign-out; 403 when the form's token is not the session's, 413/415 for a body that is not a small form. */
export async function handleLogout(
  context: AuthContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readFormBody(request);
  if (!body.ok) {
    const tooLarge = body.reason === 'too-large';
    sendAuthPage(response, {
      status: tooLarge ? 413 : 415,
      title: 'Sign-out refused',
      message: tooLarge
        ? 'The sign-out form is too large.'
        : "Sign out with the dashboard's form (application/x-www-form-urlencoded).",
      headers: tooLarge ? { connection: 'close' } : {},
    });
    return;
  }
  const clear = sessionCookie('', 0, context.secureCookies);
  const row = await sessionOf(context, request);
  if (row === undefined) {
    redirect(response, 303, SIGNED_OUT_PATH, [clear]);
    return;
  }
  if (!sameText(csrfTokenFor(context, row.tokenHash), body.fields.get('csrf') ?? '')) {
    sendAuthPage(response, {
      status: 403,
      title: 'Sign-out refused',
      message: "The form did not carry this session's token. Sign out with the button on a dashboard page.",
      link: { href: '/dashboard', label: 'Back to the dashboard' },
    });
    return;
  }
  await deleteSession(context.db, row.tokenHash);
  context.log.info({ login: row.login }, 'dashboard sign-out');
  redirect(response, 303, SIGNED_OUT_PATH, [clear]);
}
