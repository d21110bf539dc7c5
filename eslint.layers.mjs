// Sitebox's layers as an import rule. From the top: faces (app, components, workers, server.ts),
// edge (lib/http, lib/live), domains, identity, the reporting core, base; beside them the wire
// protocol, the agent and the demo data. Each layer may import the layers below it, never the ones
// above. `npm test` runs ESLint first, so a
// climbing import fails the build.
//
// Imports that climb and wait for a larger move would be listed in `knownClimbs`, each by importing
// file and imported file, with the reason; none is left. Only listed pairs pass: any new climbing
// import fails.
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Each layer's folders (`lib/x/`) and files, relative to the repository root. */
export const layers = {
  base: [
    'lib/db/',
    'lib/config.ts',
    'lib/data-dir.ts',
    'lib/make-folder.ts',
    'lib/logger.ts',
    'lib/errors.ts',
    'lib/clock.ts',
    'lib/validation/',
    'lib/metrics/',
    'lib/net/',
    'lib/search/',
    'lib/workers/',
    'lib/runtime.ts',
    'lib/process-singleton.ts',
    'lib/retry-delay.ts',
    'lib/yield-in-slices.ts',
    'lib/csv-field.ts',
    'lib/plural.ts',
    'lib/fork-ts.ts',
    'lib/entry-points.ts',
    'lib/tls/',
  ],
  reporting: ['lib/reporting/'],
  identity: ['lib/auth/', 'lib/users/', 'lib/devices/', 'lib/sites/', 'lib/audit/'],
  domains: [
    'lib/status/',
    'lib/status-viewer/',
    'lib/quarantine/',
    'lib/quarantine-review/',
    'lib/sitecontrol/',
    'lib/summarizers/',
    'lib/collections/',
    'lib/deployments/',
    'lib/notification/',
    'lib/policy/',
    'lib/health/',
    'lib/inventory/',
    'lib/resource-explorer/',
    'lib/metering/',
    'lib/scripts/',
    'lib/client-status/',
  ],
  edge: ['lib/http/', 'lib/ingest/', 'lib/live/', 'lib/client/'],
  faces: ['app/', 'components/', 'workers/', 'server.ts', 'mp.ts', 'proxy.ts'],
  // The live query language and its evaluation are shared by the console, the server and the agent.
  protocol: ['lib/protocol/', 'lib/live-query/'],
  agent: ['lib/agent/'],
  demo: ['lib/seed/'],
};

/**
 * Climbing imports that wait for a larger move, each as { importer, imports, why }. None is left:
 * never add one for new code, move the import instead.
 */
export const knownClimbs = [];

/**
 * The rules themselves: `target` may not import `from`, apart from `allow` (lower layers inside
 * a broad `from`).
 */
const rules = [
  {
    target: layers.base,
    from: ['lib/'],
    allow: layers.base,
    message: 'The base layer (db, config, logger, errors, clock, validation, process plumbing) imports nothing above it.',
  },
  {
    target: layers.reporting,
    from: ['lib/'],
    allow: [...layers.base, ...layers.protocol, ...layers.reporting],
    message:
      'The reporting core every component uses imports only the base layer and the wire protocol (the status message and the client message ids).',
  },
  {
    target: layers.identity,
    from: [...layers.domains, ...layers.edge, ...layers.agent, ...layers.demo],
    allow: layers.base,
    message: 'Identity (auth, users, devices, sites, audit) sits below the domains, the edge and the agent.',
  },
  {
    target: layers.domains,
    from: [...layers.edge, ...layers.agent, ...layers.demo],
    allow: layers.base,
    message: 'A domain does not import the edge (lib/http, lib/live), the agent or the demo data.',
  },
  {
    target: [...layers.identity, ...layers.domains.filter((domain) => domain !== 'lib/sitecontrol/')],
    from: ['lib/sitecontrol/'],
    message: 'A domain receives its settings (passed in, or through a watcher its worker starts); it does not reach into lib/sitecontrol.',
  },
  {
    target: ['lib/'],
    from: layers.faces,
    message: 'lib/ never imports a face (app/, components/, workers/, server.ts).',
  },
  {
    target: layers.protocol,
    from: ['lib/'],
    allow: [...layers.base, ...layers.protocol],
    message: 'Wire schemas (lib/protocol) import only the base layer, so both sides can share them.',
  },
  {
    target: layers.agent,
    from: ['lib/'],
    allow: [...layers.base, ...layers.protocol, ...layers.agent],
    message: 'The agent shares only lib/protocol and the base layer with the server.',
  },
  {
    target: Object.entries(layers)
      .filter(([name]) => name !== 'demo')
      .flatMap(([, entries]) => entries)
      .filter((entry) => entry !== 'server.ts'),
    from: layers.demo,
    message: 'Production code never depends on the demo data; only server.ts (SITEBOX_SEED_DEVICES) and scripts seed.',
  },
];

/** A glob for one folder (everything under it) or one file (itself). */
function glob(root, entry) {
  if (entry.endsWith('/')) return path.join(root, entry, '**');
  // A plain file path is not a glob to the rule; an extglob of one alternative matches just it.
  return path.join(root, path.dirname(entry), `@(${path.basename(entry)})`);
}

function underAny(file, entries) {
  return entries.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry));
}

function zonesFor(root, importer) {
  const allowedClimbs = importer ? knownClimbs.find((climb) => climb.importer === importer).imports : [];
  return rules
    .filter((rule) => !importer || underAny(importer, rule.target))
    .map((rule) => ({
      target: rule.target.map((entry) => glob(root, entry)),
      from: rule.from.map((entry) => glob(root, entry)),
      except: [...(rule.allow ?? []), ...allowedClimbs].map((entry) => glob(root, entry)),
      message: rule.message,
    }));
}

/** Every folder and file directly under lib/ belongs to a layer, so a new one cannot slip past the rule. */
function assertEveryLibEntryHasALayer(root) {
  const placed = Object.values(layers).flat();
  const unplaced = readdirSync(path.join(root, 'lib'), { withFileTypes: true })
    .map((entry) => `lib/${entry.name}${entry.isDirectory() ? '/' : ''}`)
    .filter((entry) => !placed.includes(entry));
  if (unplaced.length) throw new Error(`eslint.layers.mjs: place ${unplaced.join(', ')} in a layer`);
}

/** ESLint config blocks: the layer rule for every file, and per-file variants that let a known climb pass. */
export function layerRuleBlocks(root) {
  assertEveryLibEntryHasALayer(root);
  return [
    {
      files: ['**/*.{ts,tsx,mts}'],
      rules: { 'import-x/no-restricted-paths': ['error', { zones: zonesFor(root) }] },
    },
    ...knownClimbs.map((climb) => ({
      files: [climb.importer],
      rules: { 'import-x/no-restricted-paths': ['error', { zones: zonesFor(root, climb.importer) }] },
    })),
  ];
}
