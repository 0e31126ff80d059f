/**
 * The import rules of src/, checked by `npm run lint:deps` (part of `npm test`). They are the layer rules of
 * docs/architecture.md ("Layers"); change both together. Test, bench and bin files may import anything.
 *
 * - no import cycles: none between folders, none between modules;
 * - a layer imports only the layers below it (a folder does not import its siblings in the same layer);
 * - another folder is reached through its index.ts or its types.ts, or through a public module named below.
 *
 * TypeScript is parsed with swc: the project's TypeScript 7.0 has no compiler API dependency-cruiser can use.
 * Type-only imports count like any other.
 */

/** Bottom first. A folder name stands for src/<name>/; `workorders` is the domain, without its service/. */
const LAYERS = [
  ['lib'],
  ['plan', 'http'],
  ['config'],
  ['executors', 'sandbox'],
  ['deploy'],
  ['db'],
  ['journal'],
  ['lanes'],
  ['policy'],
  ['workorders'],
  ['workorders/service'],
  ['dispatch'],
  ['github', 'notify'],
  ['runtime'],
  ['slack', 'web', 'metrics'],
  ['app.ts'],
  ['server'],
  ['main.ts', 'cli'],
];

/**
 * Modules other folders may import besides index.ts and types.ts. Every module of src/lib is public (small helpers
 * that import nothing of the project).
 */
const PUBLIC_MODULES = [
  '^src/lib/',
  // plans inside Markdown comments: the Markdown parser stays out of plan/index.ts (a .yml plan does not need it)
  '^src/plan/markdown[.]ts$',
  // the closed word lists without drizzle: the domain takes its states from here
  '^src/db/vocabulary[.]ts$',
  // where the embedded database lives, without its client (the CLI names a release's journal spool by it)
  '^src/db/default-data-dir[.]ts$',
  // a journal's writer and spool without its schemas (a CLI release writes one; reading it back is the importer's)
  '^src/journal/journal-(writer|spool)[.]ts$',
  // the one entrance of the dashboard (the server mounts it)
  '^src/web/start-dashboard[.]ts$',
  // loaded lazily by `yardmaster testdrive` only
  '^src/sandbox/sshd-fleet[.]ts$',
  // the Probot app function (server wires it)
  '^src/app[.]ts$',
];


function unitPath(unit) {
  if (unit.endsWith('.ts')) return `^src/${unit.replace('.', '[.]')}$`;
  if (unit === 'workorders') return '^src/workorders/(?!service/)';
  return `^src/${unit}/`;
}

const layerRules = LAYERS.flatMap((layer, index) =>
  layer.map((unit) => ({
    name: 'layers',
    comment: `${unit} imports only the layers below it (docs/architecture.md, "Layers")`,
    severity: 'error',
    from: { path: unitPath(unit) },
    to: {
      path: [...LAYERS.slice(index + 1).flat(), ...layer.filter((other) => other !== unit)].map(unitPath),
    },
  })),
);

const INTERFACE_MODULES = ['^src/[^/]+/(index|types)[.]ts$', '^src/workorders/service/(index|types)[.]ts$'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'modules do not import each other, directly or through others',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'folders do not import each other, directly or through others',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'through-index',
      comment: "another folder is reached through its index.ts, its types.ts or a public module",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', ...INTERFACE_MODULES, ...PUBLIC_MODULES] },
    },
    {
      name: 'through-index',
      comment: "the entry files (main.ts, app.ts) reach folders through their index.ts, types.ts or public modules",
      severity: 'error',
      from: { path: '^src/[^/]+[.]ts$' },
      to: { path: '^src/[^/]+/', pathNot: [...INTERFACE_MODULES, ...PUBLIC_MODULES] },
    },
    {
      name: 'not-own-index',
      comment: "a folder's modules import each other directly: its index.ts is for other folders (else: cycles)",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: ['^src/$1/index[.]ts$', '^src/$1/[^/]+/index[.]ts$'] },
    },
    {
      name: 'domain-without-adapters',
      comment: 'the domain (plan, workorders, deploy, lanes) never imports Probot, Bolt or ssh2',
      severity: 'error',
      from: { path: ['^src/plan/', '^src/workorders/', '^src/deploy/', '^src/lanes/'] },
      to: { path: 'node_modules/(probot|@slack/bolt|ssh2)/' },
    },
  ],
  options: {
    parser: 'swc',
    includeOnly: { path: ['^src/', 'node_modules/(probot|@slack/bolt|ssh2)/'] },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
