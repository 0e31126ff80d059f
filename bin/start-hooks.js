import module from 'node:module';

// Module resolution hooks that shorten every start (the CLI's, bin/yardmaster.js, and the server's, src/main.ts).
// Both need module.registerHooks (Node >= 22.15); without it modules load as before, only slower. Install them before
// the first module that imports zod or drizzle-orm is resolved: an ES module's static imports are all resolved before
// it runs, so the code that uses them is imported dynamically after this call. `npm run bench:cli` and
// `npm run bench:start` show what they save.

// zod re-exports all of its locales (`z.locales`, `z.core.locales`: some 60 modules, a quarter of what `validate`
// loads), and an ES module import loads every one. Yardmaster never switches zod's locale (English, the default), so
// zod gets a locales module holding English only (zod-locales-en.js). The hook goes once both importers are served:
// every module resolved while a hook is registered pays for it.
const ZOD_LOCALES_IMPORTER = /\/node_modules\/zod\/v4\/(classic|core)\/[a-z]+\.js$/;
const zodLocalesEn = new URL('zod-locales-en.js', import.meta.url).href;

function installZodLocalesHook() {
  let zodImportersLeft = 2; // zod/v4/classic/external.js and zod/v4/core/index.js
  const zodLocalesHook = module.registerHooks?.({
    resolve(specifier, context, nextResolve) {
      if (specifier !== '../locales/index.js' || !ZOD_LOCALES_IMPORTER.test(context.parentURL ?? ''))
        return nextResolve(specifier, context);
      zodImportersLeft--;
      if (zodImportersLeft === 0) zodLocalesHook?.deregister();
      return { url: zodLocalesEn, shortCircuit: true };
    },
  });
}

// drizzle-orm's package.json is 179 KB (an exports entry for every module), and Node's resolver parses it again for
// each module of the package it resolves, only to learn the module's format from its "type" (about 4 ms each, some
// 0.5 s of CPU for the ~110 modules a database client loads), and again for each of the project's modules that
// imports `drizzle-orm` or `drizzle-orm/<path>` (its exports map). Every .js file of drizzle-orm is an ES module (its
// package.json says "type": "module"; the CommonJS build is .cjs), and its modules import each other by relative
// paths with extensions, so these resolve to the sibling file as an ES module directly; the project's own imports
// (outside node_modules) of one specifier all resolve alike, so each is resolved once.
const DRIZZLE_MODULE = /\/node_modules\/drizzle-orm\/.+\.js$/;

function installDrizzleHook() {
  const fromProject = new Map();
  module.registerHooks?.({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent === undefined) return nextResolve(specifier, context);
      if (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/')) {
        if (parent.includes('/node_modules/')) return nextResolve(specifier, context);
        const key = `${specifier}\0${(context.conditions ?? []).join(',')}`;
        let resolved = fromProject.get(key);
        if (resolved === undefined) {
          resolved = { ...nextResolve(specifier, context), shortCircuit: true };
          fromProject.set(key, resolved);
        }
        return resolved;
      }
      if (!(specifier.startsWith('./') || specifier.startsWith('../')) || !DRIZZLE_MODULE.test(parent))
        return nextResolve(specifier, context);
      const url = new URL(specifier, parent).href;
      if (!DRIZZLE_MODULE.test(url)) return nextResolve(specifier, context);
      return { url, format: 'module', shortCircuit: true };
    },
  });
}

export function installStartHooks() {
  installZodLocalesHook();
  installDrizzleHook();
}
