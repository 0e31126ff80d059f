/** Requests into lanes through a lane router, for the lane tests: the chain service A answers with what it saw. */
import { waitFor } from './workorder-fixtures.ts';

export interface ChainAnswer {
  status: number;
  body: string;
  route: string | null;
}

/** `GET <router>/A/chain` in `lane` (none: the baseline). */
export async function chainThrough(
  routerUrl: string,
  lane?: string,
  headers: Record<string, string> = {},
): Promise<ChainAnswer> {
  const response = await fetch(`${routerUrl}/A/chain`, {
    headers: { ...(lane === undefined ? {} : { 'x-yardmaster-lane': lane }), ...headers },
  });
  return { status: response.status, body: await response.text(), route: response.headers.get('x-yardmaster-route') };
}

/** The chain `lane` answers with once it is `expected` (the router reloads its routes on NOTIFY). */
export function chainBecomes(
  routerUrl: string,
  lane: string | undefined,
  expected: readonly string[],
): Promise<unknown> {
  const want = JSON.stringify(expected);
  return waitFor(
    `lane ${lane ?? '(none)'} to answer ${want}`,
    async () => {
      const answer = await chainThrough(routerUrl, lane);
      return answer.status === 200 && answer.body === want ? (JSON.parse(answer.body) as unknown) : undefined;
    },
    5_000,
  );
}
