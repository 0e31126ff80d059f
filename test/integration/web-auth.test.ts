/**
 * Dashboard sign-in end to end: a real HTTP server wired with createDashboardAuth, a real PostgreSQL database, and
 * the GitHub OAuth stand-in. Redirects are followed by hand with a cookie jar, so every hop is visible.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dashboardSessions } from '../../src/db/schema.ts';
import { createDashboardAuth } from '../../src/web/auth/create-dashboard-auth.ts';
import { deriveSessionSecret, parseDashboardAuthEnv } from '../../src/web/auth/dashboard-auth-env.ts';
import { loginRedirect } from '../../src/web/auth/login-redirect.ts';
import { safeReturnPath } from '../../src/web/auth/return-path.ts';
import {
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
  updateSessionRepos,
} from '../../src/web/auth/session-store.ts';
import type { DashboardAuth } from '../../src/web/types.ts';
import { CookieJar, dashboardClient, type Visit } from '../helpers/dashboard-browser.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startGitHubOAuthStandIn, type GitHubOAuthStandIn } from '../helpers/github-oauth-stand-in.ts';

const SESSION_SECRET = 'test-session-secret-0123456789-abcdefghijklmnop';
const TEN_MINUTES = 10 * 60 * 1000;
const MANY_REPOS = Array.from({ length: 130 }, (_, i) => `octo-org/service-${String(i).padStart(3, '0')}`);
const OCTOCAT_INSTALLATIONS = { 41: MANY_REPOS, 42: ['octocat/hello-world', 'octocat/spoon-knife'] };

interface LogLine {
  level: 'info' | 'warn';
  fields: object;
  message: string;
}

let database: TestDatabase;
let standIn: GitHubOAuthStandIn;
let server: Server;
let httpsServer: Server;
let base: string;
let auth: DashboardAuth;
let clock = new Date('2026-12-01T09:00:00Z');
const logs: LogLine[] = [];
/** Every body and Set-Cookie the app sent, for the leak checks at the end. */
const seen: string[] = [];

let client: ReturnType<typeof dashboardClient>;

function newJar(): CookieJar {
  return new CookieJar();
}

/** One request to the app (or, without a jar, anywhere), no redirect followed. */
function visit(url: string, jar: CookieJar | undefined, init: RequestInit = {}): Promise<Visit> {
  return client.visit(url, jar, init);
}

/** Follows redirects by hand from `path`, cookies going to the app only; returns every hop. */
function browse(path: string, jar: CookieJar): ReturnType<typeof client.browse> {
  return client.browse(path, jar);
}

/** A jar holding just `ym_session=<value>`. */
function jarWith(value: string): CookieJar {
  const jar = new CookieJar();
  jar.cookies.set('ym_session', value);
  return jar;
}

/** Signs in through the stand-in, landing on `returnTo`. */
function signIn(returnTo = '/dashboard'): ReturnType<typeof client.signIn> {
  return client.signIn(returnTo);
}

interface Shown {
  login: string;
  repos: string[];
  csrf: string;
}

async function whoAmI(jar: CookieJar, path = '/dashboard'): Promise<Shown | null> {
  const page = await visit(`${base}${path}`, jar);
  if (page.status !== 200) return null;
  return JSON.parse(page.body) as Shown;
}

function sessionTokenOf(jar: CookieJar): string {
  const value = jar.cookies.get('ym_session');
  if (value === undefined) throw new Error('no session cookie');
  return value.slice(0, value.indexOf('.'));
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

async function sessionRow(jar: CookieJar) {
  const [row] = await database.database.db
    .select()
    .from(dashboardSessions)
    .where(eq(dashboardSessions.tokenHash, hashOf(sessionTokenOf(jar))));
  return row;
}

function logout(jar: CookieJar, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Visit> {
  return visit(`${base}/dashboard/logout`, jar, { method: 'POST', headers: { 'content-type': contentType }, body });
}

function restRequestsSince(count: number) {
  return standIn.requests.slice(count).filter((request) => request.kind === 'rest');
}

/** The tiny dashboard of these tests: the auth routes, then the viewer as JSON, a login redirect or a 401 for SSE. */
function dashboard(getAuth: () => DashboardAuth) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (await getAuth().handle(request, response, url.pathname)) return;
    const viewer = await getAuth().viewer(request);
    if (viewer === null) {
      if (url.pathname.endsWith('/events')) response.writeHead(401).end('sign in first');
      else loginRedirect(response, `${url.pathname}${url.search}`);
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ login: viewer.login, repos: viewer.repos, csrf: viewer.csrfToken }));
  };
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>): Promise<Server> {
  const created = createServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return created;
}

beforeAll(async () => {
  database = await openTestDatabase('postgres');
  standIn = await startGitHubOAuthStandIn({
    users: [
      { login: 'octocat', id: 583231, installations: OCTOCAT_INSTALLATIONS },
      { login: 'hubot', id: 480938, installations: { 42: ['octocat/hello-world'] } },
    ],
  });
  server = await listen(dashboard(() => auth));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = dashboardClient(base, (visit) => seen.push(visit.body, ...visit.setCookies, visit.location ?? ''));
  standIn.expectRedirectUri(`${base}/dashboard/auth/callback`);
  auth = createDashboardAuth({
    db: database.database.db,
    clientId: standIn.clientId,
    clientSecret: standIn.clientSecret,
    sessionSecret: SESSION_SECRET,
    publicUrl: `${base}/`,
    githubWebUrl: standIn.url,
    githubApiUrl: standIn.apiUrl,
    now: () => clock,
    log: {
      info: (fields, message) => logs.push({ level: 'info', fields, message }),
      warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
    },
  });
});

beforeEach(() => {
  standIn.signInAs('octocat');
  standIn.failApi(undefined);
  standIn.setInstallations('octocat', OCTOCAT_INSTALLATIONS);
});

afterAll(async () => {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (httpsServer !== undefined)
    await new Promise<void>((resolve) =>
      httpsServer.close(() => {
        resolve();
      }),
    );
  await standIn?.close();
  await database?.cleanup();
});

describe('signing in with GitHub', () => {
  it('sends a visitor to GitHub and back to the page asked for, signed in with the repos they can read', async () => {
    const jar = newJar();
    const { hops, url, last } = await browse('/dashboard/orders/12?tab=log', jar);
    expect(hops.map((hop) => hop.status)).toEqual([302, 302, 302, 302, 200]);
    expect(hops[0]?.location).toBe('/dashboard/login?return_to=%2Fdashboard%2Forders%2F12%3Ftab%3Dlog');
    const authorize = new URL(hops[1]?.location ?? '');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${standIn.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(standIn.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/dashboard/auth/callback`);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(url).toBe(`${base}/dashboard/orders/12?tab=log`);
    const shown = JSON.parse(last.body) as Shown;
    expect(shown.login).toBe('octocat');
    expect(shown.repos).toEqual([...MANY_REPOS, 'octocat/hello-world', 'octocat/spoon-knife'].sort());
    const pages = standIn.requests
      .filter((request) => request.path === '/api/v3/user/installations/41/repositories')
      .map((request) => request.query);
    expect(pages.slice(-2)).toEqual([
      { per_page: '100', page: '1' },
      { per_page: '100', page: '2' },
    ]);
    expect(
      logs.some(
        (line) => line.message === 'dashboard sign-in' && (line.fields as { login?: string }).login === 'octocat',
      ),
    ).toBe(true);
  });

  it('sets http-only, SameSite=Lax cookies: a short login-state cookie, then the session cookie for the session hours', async () => {
    const { hops } = await signIn();
    const stateCookie = hops[0]?.setCookies.find((line) => line.startsWith('ym_login='));
    expect(stateCookie).toMatch(/; Path=\/dashboard; Max-Age=600; HttpOnly; SameSite=Lax$/);
    const callback = hops[2];
    const sessionCookie = callback?.setCookies.find((line) => line.startsWith('ym_session='));
    expect(sessionCookie).toMatch(
      /^ym_session=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/,
    );
    expect(callback?.setCookies.find((line) => line.startsWith('ym_login='))).toMatch(
      /^ym_login=; Path=\/dashboard; Max-Age=0;/,
    );
    expect(callback?.setCookies.join('\n')).not.toMatch(/Secure/);
  });

  it('marks cookies Secure when the public URL is https', async () => {
    const secure = createDashboardAuth({
      db: database.database.db,
      clientId: standIn.clientId,
      clientSecret: standIn.clientSecret,
      sessionSecret: SESSION_SECRET,
      publicUrl: 'https://yardmaster.example.com',
      githubWebUrl: standIn.url,
      githubApiUrl: standIn.apiUrl,
    });
    httpsServer = await listen(dashboard(() => secure));
    const page = await visit(
      `http://127.0.0.1:${(httpsServer.address() as AddressInfo).port}/dashboard/login`,
      undefined,
    );
    expect(page.setCookies[0]).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    expect(new URL(page.location ?? '').searchParams.get('redirect_uri')).toBe(
      'https://yardmaster.example.com/dashboard/auth/callback',
    );
  });

  it('stores only the hash of the session token and the GitHub token sealed', async () => {
    const { jar } = await signIn();
    const row = await sessionRow(jar);
    expect(row?.login).toBe('octocat');
    expect(row?.githubUserId).toBe(583231);
    expect(row?.repos).toContain('octocat/spoon-knife');
    expect(row?.expiresAt.getTime()).toBe(clock.getTime() + 8 * 3600 * 1000);
    expect(row?.accessToken).toMatch(/^v1\./);
    for (const token of standIn.issuedTokens()) expect(row?.accessToken).not.toContain(token);
  });

  it('returns to /dashboard instead of a return path outside the dashboard', async () => {
    for (const returnTo of [
      '//evil.example/dashboard',
      'https://evil.example/',
      '/dashboardx',
      '/\\evil.example',
      '/dashboard/../admin',
    ]) {
      const { url } = await signIn(returnTo);
      expect(url, returnTo).toBe(`${base}/dashboard`);
    }
    expect(safeReturnPath('/dashboard/orders?state=running')).toBe('/dashboard/orders?state=running');
    expect(safeReturnPath('/dashboard/audit?q=https://example.com/x')).toBe('/dashboard/audit?q=https://example.com/x');
    expect(safeReturnPath('/dashboard/orders/\u65e5\u672c')).toBe('/dashboard');
    expect(safeReturnPath('/dashboard/%2e%2e/admin')).toBe('/dashboard');
    expect(safeReturnPath('/dashboard/orders\r\nSet-Cookie: x=1')).toBe('/dashboard');
    expect(safeReturnPath('/dashboard')).toBe('/dashboard');
    expect(safeReturnPath(null)).toBe('/dashboard');
  });

  it('replaces the session of a browser that signs in again', async () => {
    const { jar } = await signIn();
    const first = await sessionRow(jar);
    const login = await visit(`${base}/dashboard/login`, newJar());
    const state = new URL(login.location ?? '').searchParams.get('state') ?? '';
    const authorize = await visit(login.location ?? '', undefined);
    jar.cookies.set('ym_login', login.setCookies[0]?.split(';')[0]?.slice('ym_login='.length) ?? '');
    expect(new URL(authorize.location ?? '').searchParams.get('state')).toBe(state);
    const callback = await visit(authorize.location ?? '', jar);
    expect(callback.status).toBe(302);
    const second = await sessionRow(jar);
    expect(second?.tokenHash).not.toBe(first?.tokenHash);
    const [gone] = await database.database.db
      .select()
      .from(dashboardSessions)
      .where(eq(dashboardSessions.tokenHash, first?.tokenHash ?? ''));
    expect(gone).toBeUndefined();
  });

  it('sends a signed-in visitor of the login page straight to the return path', async () => {
    const { jar } = await signIn();
    const before = standIn.requests.length;
    const page = await visit(`${base}/dashboard/login?return_to=%2Fdashboard%2Faudit`, jar);
    expect(page.status).toBe(302);
    expect(page.location).toBe('/dashboard/audit');
    expect(standIn.requests.length).toBe(before);
  });

  it('answers 401 to an event stream without a session (pages redirect)', async () => {
    const events = await visit(`${base}/dashboard/orders/12/events`, newJar());
    expect(events.status).toBe(401);
  });
});

describe('refusing sign-ins', () => {
  it('answers 400 when the state does not match the one the browser started with', async () => {
    const jar = newJar();
    const login = await visit(`${base}/dashboard/login`, jar);
    const authorize = await visit(login.location ?? '', undefined);
    const callback = new URL(authorize.location ?? '');
    callback.searchParams.set('state', 'forged-state-forged-state-forged');
    const page = await visit(callback.toString(), jar);
    expect(page.status).toBe(400);
    expect(page.body).toContain('its state does not match');
    expect(jar.cookies.has('ym_session')).toBe(false);
    expect(jar.cookies.has('ym_login')).toBe(false);
  });

  it('answers 400 to a callback in a browser that never started the sign-in', async () => {
    const login = await visit(`${base}/dashboard/login`, newJar());
    const authorize = await visit(login.location ?? '', undefined);
    const page = await visit(authorize.location ?? '', newJar());
    expect(page.status).toBe(400);
    expect(page.body).toContain('Sign-in could not be verified');
  });

  it('answers 400 once the login state is older than ten minutes', async () => {
    const jar = newJar();
    const login = await visit(`${base}/dashboard/login`, jar);
    const authorize = await visit(login.location ?? '', undefined);
    clock = new Date(clock.getTime() + TEN_MINUTES + 1000);
    const page = await visit(authorize.location ?? '', jar);
    expect(page.status).toBe(400);
  });

  it('says so when the user cancels at GitHub', async () => {
    standIn.signInAs('deny');
    const { last, jar } = await signIn();
    expect(last.status).toBe(403);
    expect(last.body).toContain('access_denied');
    expect(jar.cookies.has('ym_session')).toBe(false);
  });

  it('answers 502 when GitHub refuses the code, without any secret in the page', async () => {
    const jar = newJar();
    const login = await visit(`${base}/dashboard/login`, jar);
    const state = new URL(login.location ?? '').searchParams.get('state') ?? '';
    const page = await visit(`${base}/dashboard/auth/callback?code=not-a-code&state=${state}`, jar);
    expect(page.status).toBe(502);
    expect(page.body).toContain('bad_verification_code');
    expect(page.body).not.toContain(standIn.clientSecret);
    expect(jar.cookies.has('ym_session')).toBe(false);
  });

  it("answers 502 when GitHub's API fails during the sign-in", async () => {
    const jar = newJar();
    const login = await visit(`${base}/dashboard/login`, jar);
    const authorize = await visit(login.location ?? '', undefined);
    standIn.failApi(503);
    const page = await visit(authorize.location ?? '', jar);
    expect(page.status).toBe(502);
    expect(page.body).toContain('GET /user: GitHub answered 503');
    expect(jar.cookies.has('ym_session')).toBe(false);
  });
});

describe('sessions', () => {
  it('ignores a tampered, unsigned or foreign-signed cookie', async () => {
    const { jar } = await signIn();
    const good = jar.cookies.get('ym_session') ?? '';
    const token = sessionTokenOf(jar);
    const signature = good.slice(good.indexOf('.') + 1);
    const swapLast = (text: string): string => `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`;
    const flipped = swapLast(signature);
    const other = createHash('sha256').update('another secret').digest('base64url');
    for (const value of [
      `${token}.${flipped}`,
      token,
      `${token}.`,
      `${swapLast(token)}.${signature}`,
      `${token}.${other}`,
      '',
      '...',
    ]) {
      const forged = jarWith(value);
      expect(await whoAmI(forged), value).toBeNull();
    }
    expect((await whoAmI(jar))?.login).toBe('octocat');
  });

  it('ends when it expires, and removes the expired row', async () => {
    const { jar } = await signIn();
    clock = new Date(clock.getTime() + 8 * 3600 * 1000 - 1000);
    standIn.failApi(undefined);
    expect((await whoAmI(jar))?.login).toBe('octocat');
    clock = new Date(clock.getTime() + 1000);
    const page = await visit(`${base}/dashboard/orders`, jar);
    expect(page.status).toBe(302);
    expect(page.location).toBe('/dashboard/login?return_to=%2Fdashboard%2Forders');
    expect(await sessionRow(jar)).toBeUndefined();
  });

  it('ends at the next check once access is revoked at GitHub', async () => {
    const { jar } = await signIn();
    standIn.revoke('octocat');
    const before = standIn.requests.length;
    clock = new Date(clock.getTime() + TEN_MINUTES - 1000);
    expect((await whoAmI(jar))?.login).toBe('octocat');
    expect(restRequestsSince(before)).toEqual([]);
    clock = new Date(clock.getTime() + 1000);
    expect(await whoAmI(jar)).toBeNull();
    expect(restRequestsSince(before).map((request) => request.status)).toEqual([401]);
    expect(await sessionRow(jar)).toBeUndefined();
  });

  it('picks up changed repositories after the check interval', async () => {
    const { jar } = await signIn();
    standIn.setInstallations('octocat', { 42: ['octocat/hello-world'], 43: ['octo-org/new-service'] });
    expect((await whoAmI(jar))?.repos).toHaveLength(132);
    clock = new Date(clock.getTime() + TEN_MINUTES);
    expect((await whoAmI(jar))?.repos).toEqual(['octo-org/new-service', 'octocat/hello-world']);
    const row = await sessionRow(jar);
    expect(row?.reposCheckedAt.getTime()).toBe(clock.getTime());
  });

  it('keeps the old list when GitHub fails, warns, and tries again a minute later', async () => {
    const { jar } = await signIn();
    standIn.failApi(503);
    clock = new Date(clock.getTime() + TEN_MINUTES);
    const warnings = logs.length;
    expect((await whoAmI(jar))?.repos).toHaveLength(132);
    expect(
      logs
        .slice(warnings)
        .filter((line) => line.level === 'warn')
        .map((line) => line.message),
    ).toEqual(['dashboard session keeps its repository list: re-reading it from GitHub failed']);
    standIn.failApi(undefined);
    standIn.setInstallations('octocat', { 42: ['octocat/hello-world'] });
    const before = standIn.requests.length;
    clock = new Date(clock.getTime() + 59_000);
    expect((await whoAmI(jar))?.repos).toHaveLength(132);
    expect(restRequestsSince(before)).toEqual([]);
    clock = new Date(clock.getTime() + 1000);
    expect((await whoAmI(jar))?.repos).toEqual(['octocat/hello-world']);
  });

  it('re-reads the repositories once for concurrent requests', async () => {
    const { jar } = await signIn();
    clock = new Date(clock.getTime() + TEN_MINUTES);
    const before = standIn.requests.length;
    const shown = await Promise.all([whoAmI(jar), whoAmI(jar), whoAmI(jar)]);
    expect(shown.map((viewer) => viewer?.repos.length)).toEqual([132, 132, 132]);
    expect(restRequestsSince(before).filter((request) => request.path === '/api/v3/user/installations')).toHaveLength(
      1,
    );
  });

  it('keeps the sessions of different users apart', async () => {
    const octocat = await signIn();
    standIn.signInAs('hubot');
    const hubot = await signIn();
    expect(await whoAmI(hubot.jar)).toMatchObject({ login: 'hubot', repos: ['octocat/hello-world'] });
    expect((await whoAmI(octocat.jar))?.login).toBe('octocat');
    expect((await whoAmI(octocat.jar))?.csrf).not.toBe((await whoAmI(hubot.jar))?.csrf);
  });
});

describe('signing out', () => {
  it('refuses a missing or wrong CSRF token with 403 and keeps the session', async () => {
    const { jar } = await signIn();
    const csrf = (await whoAmI(jar))?.csrf ?? '';
    expect((await logout(jar, '')).status).toBe(403);
    expect((await logout(jar, 'csrf=')).status).toBe(403);
    expect((await logout(jar, `csrf=${csrf.slice(0, -1)}x`)).status).toBe(403);
    expect((await logout(jar, `csrf=${csrf}x`)).status).toBe(403);
    expect((await whoAmI(jar))?.login).toBe('octocat');
  });

  it('refuses bodies that are not a small form', async () => {
    const { jar } = await signIn();
    const csrf = (await whoAmI(jar))?.csrf ?? '';
    expect((await logout(jar, JSON.stringify({ csrf }), 'application/json')).status).toBe(415);
    expect((await logout(jar, `csrf=${csrf}&padding=${'x'.repeat(20_000)}`)).status).toBe(413);
    expect((await whoAmI(jar))?.login).toBe('octocat');
  });

  it('ends the session with the right token: row deleted, cookie cleared, a signed-out page', async () => {
    const { jar } = await signIn();
    const cookie = jar.cookies.get('ym_session') ?? '';
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- viewer() reads only the request's headers
    const viewer = await auth.viewer({ headers: { cookie: `ym_session=${cookie}` } } as IncomingMessage);
    expect(viewer).not.toBeNull();
    if (viewer === null) return;
    expect(auth.csrfOk(viewer, viewer.csrfToken)).toBe(true);
    expect(auth.csrfOk(viewer, undefined)).toBe(false);
    expect(auth.csrfOk(viewer, `${viewer.csrfToken}x`)).toBe(false);

    const answer = await logout(jar, new URLSearchParams({ csrf: viewer.csrfToken }).toString());
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/dashboard/login?signed_out=1');
    expect(answer.setCookies[0]).toMatch(
      /^ym_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT$/,
    );
    expect(jar.cookies.has('ym_session')).toBe(false);
    const rows = await database.database.db
      .select()
      .from(dashboardSessions)
      .where(eq(dashboardSessions.tokenHash, hashOf(cookie.slice(0, cookie.indexOf('.')))));
    expect(rows).toEqual([]);
    expect(await whoAmI(jarWith(cookie))).toBeNull();

    const signedOut = await visit(`${base}${answer.location}`, jar);
    expect(signedOut.status).toBe(200);
    expect(signedOut.body).toContain('You have signed out');
    expect(signedOut.body).toContain('href="/dashboard/login?return_to=%2Fdashboard"');
  });

  it('answers 405 to a GET of the sign-out address', async () => {
    const page = await visit(`${base}/dashboard/logout`, newJar());
    expect(page.status).toBe(405);
  });
});

describe('the session store on the embedded database', () => {
  it('stores, finds, updates and expires sessions on PGlite as on PostgreSQL', async () => {
    const embedded = await openTestDatabase('pglite');
    try {
      const db = embedded.database.db;
      const at = new Date('2026-12-01T10:00:00Z');
      const row = {
        login: 'octocat',
        githubUserId: 1,
        repos: ['octo/a'],
        sealedAccessToken: 'v1.x.y.z',
        reposCheckedAt: at,
        createdAt: at,
      };
      await insertSession(db, { ...row, tokenHash: 'live', expiresAt: new Date(at.getTime() + 3_600_000) });
      await insertSession(db, { ...row, tokenHash: 'old', expiresAt: at });
      await updateSessionRepos(db, 'live', ['octo/a', 'octo/b'], new Date(at.getTime() + 1000));
      expect(await findSession(db, 'live')).toMatchObject({
        repos: ['octo/a', 'octo/b'],
        reposCheckedAt: new Date(at.getTime() + 1000),
      });
      expect(await deleteExpiredSessions(db, at)).toBe(1);
      expect(await findSession(db, 'old')).toBeUndefined();
      await deleteSession(db, 'live');
      expect(await findSession(db, 'live')).toBeUndefined();
    } finally {
      await embedded.cleanup();
    }
  });
});

describe('dashboard sign-in settings', () => {
  const webhookSecret = 'webhook-secret';

  it('is not configured without a client id and secret', () => {
    expect(parseDashboardAuthEnv({}, webhookSecret)).toEqual({ ok: true, settings: undefined });
    expect(parseDashboardAuthEnv({ GITHUB_CLIENT_ID: '', GITHUB_CLIENT_SECRET: ' ' }, webhookSecret)).toEqual({
      ok: true,
      settings: undefined,
    });
  });

  it('derives the session secret from the webhook secret unless one is given', () => {
    const derived = parseDashboardAuthEnv({ GITHUB_CLIENT_ID: 'Iv23abc', GITHUB_CLIENT_SECRET: 'shh' }, webhookSecret);
    expect(derived).toEqual({
      ok: true,
      settings: {
        clientId: 'Iv23abc',
        clientSecret: 'shh',
        sessionSecret: deriveSessionSecret(webhookSecret),
        sessionHours: 8,
      },
    });
    expect(deriveSessionSecret(webhookSecret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(deriveSessionSecret(webhookSecret)).not.toBe(deriveSessionSecret('another'));
    const given = parseDashboardAuthEnv(
      {
        GITHUB_CLIENT_ID: 'Iv23abc',
        GITHUB_CLIENT_SECRET: 'shh',
        DASHBOARD_SESSION_SECRET: SESSION_SECRET,
        DASHBOARD_SESSION_HOURS: '12',
      },
      undefined,
    );
    expect(given).toEqual({
      ok: true,
      settings: { clientId: 'Iv23abc', clientSecret: 'shh', sessionSecret: SESSION_SECRET, sessionHours: 12 },
    });
  });

  it('names each problem', () => {
    expect(parseDashboardAuthEnv({ GITHUB_CLIENT_ID: 'Iv23abc' }, webhookSecret)).toEqual({
      ok: false,
      problems: ['GITHUB_CLIENT_SECRET: required when GITHUB_CLIENT_ID is set (a client secret of the App)'],
    });
    expect(parseDashboardAuthEnv({ GITHUB_CLIENT_SECRET: 'shh' }, webhookSecret)).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^GITHUB_CLIENT_ID: required/)],
    });
    expect(
      parseDashboardAuthEnv({ GITHUB_CLIENT_ID: 'Iv23abc', GITHUB_CLIENT_SECRET: 'shh' }, undefined),
    ).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^DASHBOARD_SESSION_SECRET: required/)],
    });
    expect(
      parseDashboardAuthEnv(
        { GITHUB_CLIENT_ID: 'Iv23abc', GITHUB_CLIENT_SECRET: 'shh', DASHBOARD_SESSION_SECRET: 'short' },
        webhookSecret,
      ),
    ).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^DASHBOARD_SESSION_SECRET: must be at least 32/)],
    });
    expect(parseDashboardAuthEnv({ DASHBOARD_SESSION_HOURS: '0' }, webhookSecret)).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^DASHBOARD_SESSION_HOURS/)],
    });
  });
});

describe('secrets', () => {
  it('never puts a GitHub token, the client secret or the session secret in a page, cookie, redirect or log', () => {
    const secrets = [...standIn.issuedTokens(), standIn.clientSecret, SESSION_SECRET];
    expect(standIn.issuedTokens().length).toBeGreaterThan(10);
    const everything = [...seen, ...logs.map((line) => JSON.stringify(line))].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('made only REST requests GitHub describes', () => {
    expect(standIn.requests.filter((request) => request.kind === 'rest').length).toBeGreaterThan(20);
    expect(standIn.violations()).toEqual([]);
  });
});
