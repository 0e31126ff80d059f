/**
 * `POST /dashboard/lanes/instances/<service>/<version>` (form: csrf, description, owner, labels as `key=value` lines,
 * baseline): the library page's edit form. The library is the operator's, so only the local viewer of
 * `yardmaster dashboard` (`everything`) may edit; a GitHub user signed in to the server's dashboard is refused (403)
 * like a form without the session's token. The fields go through the lanes API's schema (the same bounds) and are
 * audited as `lane.instance_changed` by `dashboard:<login>`; the answer is the lanes page again (303).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types.ts';
import { findInstance, metadataPatchSchema, modifyInstance } from '../lanes/index.ts';
import { readFormBody } from './auth/read-form-body.ts';
import { sendText } from './send-page.ts';
import type { DashboardAuth, Viewer } from './types.ts';

export const INSTANCE_EDIT =
  /^\/dashboard\/lanes\/instances\/([A-Za-z0-9][A-Za-z0-9_-]{0,62})\/([A-Za-z0-9._-]{1,64})$/;

/** The form's labels (one `key=value` a line, all of them) as a merge patch over the instance's `current` ones. */
function labelsPatch(text: string, current: readonly string[]): Record<string, string | null> | string {
  const patch: Record<string, string | null> = Object.fromEntries(current.map((key) => [key, null]));
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at < 1) return `labels: expected key=value on each line, not ${JSON.stringify(line.slice(0, 80))}`;
    patch[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return patch;
}

export async function handleInstanceEdit(
  deps: { db: Db; auth: DashboardAuth },
  request: IncomingMessage,
  response: ServerResponse,
  viewer: Viewer,
  target: { service: string; version: string },
): Promise<void> {
  const body = await readFormBody(request);
  if (!body.ok) {
    sendText(response, body.reason === 'too-large' ? 413 : 415, 'expected the edit form (a small urlencoded form)', {
      connection: 'close',
    });
    return;
  }
  if (!deps.auth.csrfOk(viewer, body.fields.get('csrf') ?? undefined)) {
    sendText(response, 403, "The form did not carry this session's token.");
    return;
  }
  if (viewer.everything !== true) {
    sendText(
      response,
      403,
      'The lane library is the operator’s: edit it with yardmaster dashboard, lanes edit or the API.',
    );
    return;
  }
  const current = await findInstance(deps.db, target.service, target.version);
  const labels = labelsPatch(body.fields.get('labels') ?? '', Object.keys(current?.labels ?? {}));
  if (typeof labels === 'string') {
    sendText(response, 400, labels);
    return;
  }
  const parsed = metadataPatchSchema.safeParse({
    description: body.fields.get('description') ?? '',
    owner: body.fields.get('owner') ?? '',
    labels,
    baseline: body.fields.get('baseline') === 'on',
  });
  if (!parsed.success) {
    sendText(
      response,
      400,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(form)'}: ${issue.message}`).join('\n'),
    );
    return;
  }
  const result = await deps.db.transaction((tx) =>
    modifyInstance(tx, target.service, target.version, parsed.data, `dashboard:${viewer.login}`),
  );
  if (!result.ok) {
    sendText(response, result.reason === 'not-found' ? 404 : 409, result.message);
    return;
  }
  response.writeHead(303, { location: '/dashboard/lanes', 'cache-control': 'no-store' }).end();
}
