/**
 * The REST calls made with a user's token: who they are, and which repositories they can read where the App is
 * installed (`/user/installations` → `/user/installations/{id}/repositories`, every page of each).
 */
import { z } from 'zod';
import { askGitHub, type GitHubFailure } from './github-failure.ts';

/** Where and as whom. */
export interface UserApi {
  fetch: typeof fetch;
  /** REST root (`https://api.github.com`, `https://ghe.example/api/v3`). */
  githubApiUrl: string;
  accessToken: string;
}

const PER_PAGE = 100;
/** A bound on pages per listing, so a misbehaving server cannot keep us looping (10 000 entries). */
const MAX_PAGES = 100;

const userSchema = z.object({ login: z.string().min(1), id: z.number().int().positive() });
const installationsSchema = z.object({ installations: z.array(z.object({ id: z.number().int().positive() })) });
const repositoriesSchema = z.object({
  repositories: z.array(z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/) })),
});
const errorSchema = z.object({ message: z.string() });

async function getJson<T>(
  api: UserApi,
  path: string,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | GitHubFailure> {
  const what = `GET ${path.split('?')[0] ?? path}`;
  const answer = await askGitHub(what, api.fetch, `${api.githubApiUrl}${path}`, {
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${api.accessToken}`,
      'user-agent': 'yardmaster',
      'x-github-api-version': '2022-11-28',
    },
  });
  if (!answer.ok) return answer;
  const { response, body } = answer;
  if (!response.ok) {
    const parsedError = errorSchema.safeParse(body);
    const detail = parsedError.success ? `: ${parsedError.data.message}` : '';
    return {
      ok: false,
      reason: response.status === 401 ? 'unauthorized' : 'error',
      message: `${what}: GitHub answered ${response.status}${detail}`,
    };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    return { ok: false, reason: 'error', message: `${what}: GitHub's answer has an unexpected shape` };
  return { ok: true, value: parsed.data };
}

async function allPages<T>(
  api: UserApi,
  path: string,
  schema: z.ZodType<T>,
  items: (page: T) => readonly unknown[],
): Promise<{ ok: true; pages: T[] } | GitHubFailure> {
  const pages: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await getJson(api, `${path}?per_page=${PER_PAGE}&page=${page}`, schema);
    if (!answer.ok) return answer;
    pages.push(answer.value);
    if (items(answer.value).length < PER_PAGE) return { ok: true, pages };
  }
  return { ok: false, reason: 'error', message: `GET ${path}: more than ${MAX_PAGES} pages` };
}

/** The signed-in user (`GET /user`). */
export async function fetchUser(api: UserApi): Promise<{ ok: true; login: string; id: number } | GitHubFailure> {
  const answer = await getJson(api, '/user', userSchema);
  return answer.ok ? { ok: true, login: answer.value.login, id: answer.value.id } : answer;
}

/** The `owner/name`s the user can read in the App's installations, sorted, each once. */
export async function fetchReadableRepos(api: UserApi): Promise<{ ok: true; repos: string[] } | GitHubFailure> {
  const installations = await allPages(api, '/user/installations', installationsSchema, (page) => page.installations);
  if (!installations.ok) return installations;
  const repos = new Set<string>();
  for (const installation of installations.pages.flatMap((page) => page.installations)) {
    const listing = await allPages(
      api,
      `/user/installations/${installation.id}/repositories`,
      repositoriesSchema,
      (page) => page.repositories,
    );
    if (!listing.ok) return listing;
    for (const page of listing.pages) for (const repository of page.repositories) repos.add(repository.full_name);
  }
  return { ok: true, repos: [...repos].sort() };
}
