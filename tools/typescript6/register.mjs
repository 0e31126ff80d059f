/**
 * Makes `require('typescript')` / `import 'typescript'` in this process load TypeScript 6.0 from this folder instead
 * of the project's TypeScript 7. typescript-eslint needs TypeScript's compiler API, which TypeScript 7 (a native
 * `tsc`, the project's compiler) does not have; npm cannot put two `typescript` packages at the root without one
 * taking the other's `tsc` command, so TypeScript 6.0 lives in this workspace's own node_modules and this hook sends
 * every `typescript` lookup here. Only eslint.config.mjs imports this file, before it loads typescript-eslint.
 */
import { createRequire, registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Found before the hook exists (require.resolve would run through it). TypeScript 6 has no `exports` map, so a
// subpath such as `typescript/lib/tsserverlibrary` is a file under its folder; its main file is lib/typescript.js.
const typescript6 = dirname(createRequire(import.meta.url).resolve('typescript/package.json'));

/** The file of `typescript` or `typescript/<path>` inside TypeScript 6's folder. */
function typescript6File(specifier) {
  const subpath = specifier === 'typescript' ? 'lib/typescript.js' : specifier.slice('typescript/'.length);
  return join(typescript6, subpath.endsWith('.js') || subpath.endsWith('.json') ? subpath : `${subpath}.js`);
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'typescript' || specifier.startsWith('typescript/')) {
      const url = pathToFileURL(typescript6File(specifier)).href;
      return { url, format: specifier.endsWith('.json') ? 'json' : 'commonjs', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
});
