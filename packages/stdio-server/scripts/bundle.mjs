#!/usr/bin/env node
// Bundles the CLI and the auth sidecar daemon into self-contained ESM files so the published
// package needs no unpublished workspace packages: dist/bundle/bin/cnpg-mcp.js with its chunks in
// dist/bundle/chunks/, and dist/bundle/daemon.js. Code splitting keeps start-up small: what
// `initialize` and the lists need is in the CLI entry and the chunks it imports; everything loaded
// with `import()` on the first call (the bridge, the sidecar client, undici…) is in chunks read only
// then. The daemon is built on its own, so that none of its code lands in a chunk the CLI loads at
// start. It must sit at ../daemon.js relative to the chunk holding ensureSidecar() (daemonCommand):
// chunks/ is one folder below the bundle root, like bin/. keytar stays external (optional native
// module, loaded lazily). Usage: node scripts/bundle.mjs [--outdir DIR] [--metafile FILE]
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' }, metafile: { type: 'string' } } });
const outdir = resolve(values.outdir ?? join(packageDir, 'dist', 'bundle'));
const require = createRequire(join(packageDir, 'package.json'));
const daemonEntry = join(dirname(require.resolve('@cnpg-mcp/auth-sidecar')), 'daemon.js');

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

// cnpg-mcp gives the SDK's Server and Client its own JSON Schema validator
// (src/serve/relay-validator.ts), so the SDK's default one, built on Ajv, is never constructed.
// Its module is replaced by one that says so should it ever be: Ajv and its formats (≈ 280 kB of
// code) are then not loaded at start-up.
const withoutAjv = {
  name: 'without-ajv',
  setup(esbuild) {
    esbuild.onResolve({ filter: /[\\/]validation[\\/]ajv-provider\.js$/ }, (args) => ({
      path: args.path,
      namespace: 'without-ajv',
    }));
    esbuild.onLoad({ filter: /.*/, namespace: 'without-ajv' }, () => ({
      contents:
        'export class AjvJsonSchemaValidator { constructor() { throw new Error("this cnpg-mcp bundle has no Ajv: ' +
        'pass jsonSchemaValidator to the SDK"); } }\n',
      loader: 'js',
    }));
  },
};

// Some bundled CommonJS modules require() Node built-ins; ESM output needs a require to call.
const requireShim =
  "import { createRequire as __cnpgCreateRequire } from 'node:module';\nconst require = __cnpgCreateRequire(import.meta.url);";

const common = {
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  external: ['keytar'],
  banner: { js: requireShim },
  legalComments: 'none',
  // ≈ 3 MiB less RSS for the stdio server (source text and parsed functions); messages are
  // written for people and never show the code's names, so nothing readable is lost.
  minify: true,
  logLevel: 'warning',
  metafile: values.metafile !== undefined,
  write: false,
};
const [cli, daemon] = await Promise.all([
  build({
    ...common,
    entryPoints: { 'bin/cnpg-mcp': join(packageDir, 'src', 'bin.ts') },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [precomputedCatalog, withoutAjv],
  }),
  build({ ...common, entryPoints: { daemon: daemonEntry } }),
]);
if (values.metafile) await writeFile(values.metafile, JSON.stringify(cli.metafile, null, 2));

// Written to temporary names and renamed, so a process starting from the bundle meanwhile
// (npm start, a test) never reads half a file; chunks first, then the entries that import them.
const cliEntry = join(outdir, 'bin', 'cnpg-mcp.js');
const chunksDir = join(outdir, 'chunks');
const isChunk = (file) => dirname(file.path) === chunksDir;
const files = [...cli.outputFiles, ...daemon.outputFiles].sort(
  (a, b) => Number(isChunk(b)) - Number(isChunk(a)),
);
for (const file of files) {
  await mkdir(dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  const isCli = file.path === cliEntry;
  // The daemon's source starts with its own #! line, which esbuild keeps first; the CLI gets one here.
  const contents = isCli
    ? Buffer.concat([Buffer.from('#!/usr/bin/env node\n'), file.contents])
    : file.contents;
  await writeFile(temp, contents, { mode: isCli ? 0o755 : 0o644 });
  await rename(temp, file.path);
}
// Chunks of earlier builds would otherwise pile up (and be packed).
const written = new Set(files.map((file) => basename(file.path)));
for (const name of await readdir(chunksDir)) {
  if (!written.has(name)) await rm(join(chunksDir, name), { force: true });
}
console.error(`bundled cnpg-mcp into ${outdir}`);
