#!/usr/bin/env node
import module from 'node:module';
import { installStartHooks } from './start-hooks.js';

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

// zod's locales English only, drizzle-orm's modules without its package.json each time (start-hooks.js).
installStartHooks();
const here = new URL('.', import.meta.url).pathname;
const native = Boolean(process.features.typescript) && !here.includes('/node_modules/');
if (!native) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('../src/cli/main.ts');
