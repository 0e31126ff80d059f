/**
 * A cookie-keeping HTTP client for dashboard tests: requests without following redirects, redirects followed by
 * hand (cookies go to the app only, never to the GitHub stand-in), and sign-in through the stand-in.
 */

export interface Visit {
  status: number;
  location: string | null;
  setCookies: string[];
  body: string;
  headers: Headers;
}

/** A browser's cookies for one origin (the app). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  absorb(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      if (/;\s*Max-Age=0(;|$)/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }
}

/** A client of the app at `base`. `onAppResponse` sees every app response (bodies, cookies) for leak checks. */
export function dashboardClient(base: string, onAppResponse: (visit: Visit) => void = () => undefined) {
  const ofApp = (url: string): boolean => url.startsWith(base);

  /** One request, no redirect followed; cookies sent to and kept from the app only. */
  async function visit(url: string, jar: CookieJar | undefined, init: RequestInit = {}): Promise<Visit> {
    const absolute = new URL(url, base).toString();
    const headers = {
      ...(jar !== undefined && ofApp(absolute) ? jar.header() : {}),
      ...(init.headers as Record<string, string> | undefined),
    };
    const response = await fetch(absolute, { redirect: 'manual', ...init, headers });
    const result: Visit = {
      status: response.status,
      location: response.headers.get('location'),
      setCookies: response.headers.getSetCookie(),
      body: await response.text(),
      headers: response.headers,
    };
    if (ofApp(absolute)) {
      onAppResponse(result);
      jar?.absorb(result.setCookies);
    }
    return result;
  }

  /** Follows redirects by hand from `path`; returns every hop and where it ended. */
  async function browse(path: string, jar: CookieJar): Promise<{ hops: Visit[]; url: string; last: Visit }> {
    const hops: Visit[] = [];
    let url = new URL(path, base).toString();
    for (let i = 0; i < 10; i++) {
      const hop = await visit(url, jar);
      hops.push(hop);
      if (hop.status < 300 || hop.status >= 400 || hop.location === null) return { hops, url, last: hop };
      url = new URL(hop.location, url).toString();
    }
    throw new Error(`too many redirects from ${path}`);
  }

  /** Signs in through the stand-in (as whoever it lets in), landing on `returnTo`. */
  async function signIn(returnTo = '/dashboard'): Promise<{ jar: CookieJar; hops: Visit[]; last: Visit; url: string }> {
    const jar = new CookieJar();
    const result = await browse(`/dashboard/login?return_to=${encodeURIComponent(returnTo)}`, jar);
    return { jar, ...result };
  }

  return { visit, browse, signIn };
}
