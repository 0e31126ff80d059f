#!/usr/bin/env node
// Runs the TypeScript sources directly: Node's own type stripping where it applies (Node >= 22.18 outside
// node_modules), otherwise tsx's loader. No build step, so a fresh `npm install` is enough.
import module from 'node:module';

// Node's compile cache (Node >= 22.1; in os.tmpdir() unless NODE_COMPILE_CACHE names a directory, off with
// NODE_DISABLE_COMPILE_CACHE=1): the compiled code of every module is kept between runs. `npm run bench:cli`
// shows what it saves.
module.enableCompileCache?.();
const here = new URL('.', import.meta.url).pathname;
const native = Boolean(process.features.typescript) && !here.includes('/node_modules/');
if (!native) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('../src/cli/main.ts');
