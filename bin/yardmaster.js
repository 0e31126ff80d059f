#!/usr/bin/env node
import module from 'node:module';

// Runs the TypeScript sources directly: Node's own type stripping where it applies (Node >= 22.18 outside
// node_modules), otherwise tsx's loader. No build step, so a fresh `npm install` is enough.
// Plain JavaScript that any Node can parse, so that an older Node gets one clear line instead of a crash deep
// inside a dependency (undici 8 fails to load on Node 20). The project brings its own Node as a devDependency:
// npm puts node_modules/.bin first on PATH, so `npx yardmaster` runs on it.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `yardmaster needs Node >= 22.12, and ${process.execPath} is Node ${process.versions.node}: run it as \`npx yardmaster …\` in the project, which uses the project's own Node (installed by npm install)\n`,
  );
  process.exit(1);
}

// Node's compile cache (Node >= 22.1; in os.tmpdir() unless NODE_COMPILE_CACHE names a directory, off with
// NODE_DISABLE_COMPILE_CACHE=1): the compiled code of every module is kept between runs. `npm run bench:cli`
// shows what it saves.
module.enableCompileCache?.();

// zod re-exports all of its locales (`z.locales`, `z.core.locales`: some 60 modules, a quarter of what `validate`
// loads), and an ES module import loads every one. Yardmaster never switches zod's locale (English, the default), so
// the CLI hands zod a locales module holding English only (zod-locales-en.js). Needs module.registerHooks (Node >=
// 22.15); without it zod loads them all, as before. The hook goes once both importers are served: every module
// resolved while a hook is registered pays for it.
const ZOD_LOCALES_IMPORTER = /\/node_modules\/zod\/v4\/(classic|core)\/[a-z]+\.js$/;
const zodLocalesEn = new URL('zod-locales-en.js', import.meta.url).href;
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
const here = new URL('.', import.meta.url).pathname;
const native = Boolean(process.features.typescript) && !here.includes('/node_modules/');
if (!native) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('../src/cli/main.ts');
