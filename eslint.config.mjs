// ESLint: typescript-eslint's strict and stylistic type-checked rules over src, test, bench and bin. Formatting is
// Biome's job (biome.json), so no formatting rules here. Run with `npm run lint`; `npm test` runs it too.
//
// typescript-eslint needs TypeScript's compiler API, which the project's TypeScript 7 (native tsc) does not have:
// this import makes `typescript` mean TypeScript 6.0 (tools/typescript6) in this process, so it comes first and
// typescript-eslint is loaded after it. See README.md, "Development".
import './tools/typescript6/register.mjs';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';

const { default: tseslint } = await import('typescript-eslint');

/** The one module allowed to assert types: each cast there is a small named function that says why it is sound. */
const trustBoundaries = 'src/lib/trust-boundaries.ts';

export default defineConfig(
  {
    ignores: ['**/node_modules/**', 'coverage/**', 'dist/**', 'migrations/**', 'docs/**', 'test/e2e/screenshots/**'],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers print predictably in text (counts, ports, durations); the rule still refuses objects, nullish values,
      // booleans and `any` in template literals, which is what it is for.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Type assertions bypass the checker: outside the trust-boundaries module, narrow with zod or a type guard.
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
      // Not a style question here: only a type alias is assignable to an index-signature type (Octokit's
      // RequestParameters, Record<string, unknown>), so the code picks `type` or `interface` on purpose.
      '@typescript-eslint/consistent-type-definitions': 'off',
      // `const { field: _unused, ...rest } = value` is how an object without one field is made.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: [trustBoundaries],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'as' }] },
  },
  {
    files: ['test/**'],
    rules: {
      // A test file's `let fleet: Fleet` is assigned in beforeAll and guarded in afterAll (`await fleet?.stop()`),
      // because a beforeAll that failed halfway leaves it unassigned, which the checker cannot know: in tests this
      // rule reports those guards (109 of its 126 findings there), so it is off for test/** only.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Tests build partial fakes and deliberately malformed input: a wrong cast there fails the test, not a
      // release, and wrapping each in a named function would hide what the test feeds in. Object literals still may
      // not be asserted (use `satisfies`), only passed as arguments.
      '@typescript-eslint/consistent-type-assertions': [
        'error',
        { assertionStyle: 'as', objectLiteralTypeAssertions: 'allow-as-parameter' },
      ],
    },
  },
  {
    // Plain JavaScript (the bin launcher, this file, the TypeScript 6 hook, the import rules) is outside
    // tsconfig.json's program.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly' } },
  },
  {
    // dependency-cruiser reads its configuration as CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
