#!/usr/bin/env node
// Bundles the CLI and the auth sidecar daemon into self-contained ESM files so the published
// package needs no unpublished workspace packages: dist/bundle/bin/cnpg-mcp.js and dist/bundle/daemon.js.
// The daemon must sit at ../daemon.js relative to the CLI: that is where the bundled
// ensureSidecar() (daemonCommand) looks for it. keytar stays external (optional native module,
// loaded lazily). Usage: node scripts/bundle.mjs [--outdir DIR]
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = resolve(values.outdir ?? join(packageDir, 'dist', 'bundle'));
const require = createRequire(join(packageDir, 'package.json'));
const daemonEntry = join(dirname(require.resolve('@cnpg-mcp/auth-sidecar')), 'daemon.js');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  external: ['keytar'],
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
};
// The catalogue's lists, computed now from the built @cnpg-mcp/catalog exactly as
// src/serve/catalog-lists.ts computes them, replace that module in the CLI bundle: start-up then
// parses one JSON string instead of loading the catalogue's zod schemas and converting them.
const catalog = await import(pathToFileURL(require.resolve('@cnpg-mcp/catalog')).href);
const catalogLists = JSON.stringify({
  tools: catalog.toolListForMcp(),
  prompts: catalog.promptListForMcp(),
  resources: catalog.resources.map((resource) => ({ ...resource })),
  resourceTemplates: catalog.resourceTemplates.map((template) => ({ ...template })),
  instructions: catalog.serverInstructions,
});
const precomputedCatalog = {
  name: 'precomputed-catalog',
  setup(esbuild) {
    esbuild.onResolve({ filter: /[\\/]catalog-lists\.js$/ }, (args) => ({
      path: args.path,
      namespace: 'precomputed-catalog',
    }));
    esbuild.onLoad({ filter: /.*/, namespace: 'precomputed-catalog' }, () => ({
      contents: `const lists = ${JSON.stringify(catalogLists)};\nexport function catalogLists() { return JSON.parse(lists); }\n`,
      loader: 'js',
    }));
  },
};

// Some bundled CommonJS modules require() Node built-ins; ESM output needs a require to call.
const requireShim =
  "import { createRequire as __cnpgCreateRequire } from 'node:module';\nconst require = __cnpgCreateRequire(import.meta.url);";

const results = await Promise.all([
  build({
    ...common,
    entryPoints: [join(packageDir, 'src', 'bin.ts')],
    outfile: join(outdir, 'bin', 'cnpg-mcp.js'),
    plugins: [precomputedCatalog],
    banner: { js: `#!/usr/bin/env node\n${requireShim}` },
  }),
  // The daemon's source starts with its own #! line, which esbuild keeps first.
  build({
    ...common,
    entryPoints: [daemonEntry],
    outfile: join(outdir, 'daemon.js'),
    banner: { js: requireShim },
  }),
]);
// Written to a temporary name and renamed, so a process starting from the bundle meanwhile
// (npm start, a test) never reads half a file.
for (const file of results.flatMap((result) => result.outputFiles)) {
  await mkdir(dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  await writeFile(temp, file.contents, { mode: file.path.endsWith('cnpg-mcp.js') ? 0o755 : 0o644 });
  await rename(temp, file.path);
}
console.error(`bundled cnpg-mcp into ${outdir}`);
