/** The frame of every dashboard page: navigation, who is signed in, the sign-out form, and the page's styles. */
import { html, raw, type Html } from '../html.ts';
import type { Viewer } from '../types.ts';

/** The sections in the navigation, by path. */
const SECTIONS: readonly { path: string; label: string }[] = [
  { path: '/dashboard/orders', label: 'Work orders' },
  { path: '/dashboard/environments', label: 'Environments' },
  { path: '/dashboard/audit', label: 'Audit' },
  { path: '/dashboard/lanes', label: 'Lanes' },
  { path: '/dashboard/stats', label: 'Statistics' },
];

const STYLE = raw(`
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --ok: #1a7f37; --bad: #cf222e; --run: #9a6700; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #24292f; color: #fff; }
header a { color: #fff; text-decoration: none; }
header a.current { font-weight: 600; text-decoration: underline; }
header .who { margin-left: auto; display: flex; gap: .8rem; align-items: center; }
header button { background: none; border: 1px solid #fff6; color: #fff; border-radius: 4px; cursor: pointer; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.4rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg2); font-weight: 600; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.state, .result { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: 12px; border: 1px solid var(--line); }
.ok, .succeeded, .accepted, .verifies, .released, .passed { color: var(--ok); border-color: var(--ok); }
.failed, .rejected, .aborted, .broken, .refused, .rolled_back, .partial { color: var(--bad); border-color: var(--bad); }
.running, .started, .scheduled, .approved { color: var(--run); border-color: var(--run); }
.muted { color: var(--muted); }
.pager { display: flex; gap: 1rem; }
pre { background: var(--bg2); padding: .6rem; overflow: auto; max-height: 24rem; font-size: 12px; }
.grid td { min-width: 5.5rem; text-align: center; }
.grid td.cell-ok { background: #dafbe1; } .grid td.cell-failed { background: #ffebe9; }
.grid td.cell-started { background: #fff8c5; } .grid td.cell-skipped { background: var(--bg2); }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; min-width: 10rem; }
.card .value { font-size: 1.5rem; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1.2rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; }
figcaption { font-weight: 600; margin-bottom: .4rem; }
`);

/** A whole page around `body`. `current` is the section's path, for the navigation. */
/**
 * The live view's script, for pages with a `#live` part (served from /dashboard/assets/live.js: the CSP allows no
 * inline script).
 */
export const LIVE_SCRIPT = raw('<script src="/dashboard/assets/live.js" defer></script>');

export function layout(options: { title: string; viewer: Viewer; current?: string; body: Html; script?: Html }): Html {
  const nav = SECTIONS.map(
    (section) =>
      html`<a href="${section.path}" class="${section.path === options.current ? 'current' : ''}">${section.label}</a>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Yardmaster</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<strong><a href="/dashboard">Yardmaster</a></strong>
<nav style="display:flex;gap:1rem">${nav}</nav>
<div class="who"><span data-testid="viewer">${options.viewer.login}</span>
<form method="post" action="/dashboard/logout"><input type="hidden" name="csrf" value="${options.viewer.csrfToken}"><button type="submit">Sign out</button></form></div>
</header>
<main>
${options.body}
</main>
${options.script}
</body>
</html>
`;
}
