#!/usr/bin/env node
// Runs the TypeScript sources directly: Node's own type stripping where it applies (Node >= 22.18 outside
// node_modules), otherwise tsx's loader. No build step, so a fresh `npm install` is enough.
const here = new URL('.', import.meta.url).pathname;
const native = Boolean(process.features.typescript) && !here.includes('/node_modules/');
if (!native) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('../src/cli/main.ts');
