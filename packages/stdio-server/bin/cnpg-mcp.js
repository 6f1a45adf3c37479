#!/usr/bin/env node
// The cnpg-mcp command. The published package runs its bundle (dist/bundle, made by `npm pack`);
// a checkout runs what `npm run build` compiled (dist/bin.js), or, before any build, the
// TypeScript sources through tsx, so that `npx cnpg-mcp --version` works right after `npm install`.
import { existsSync } from 'node:fs';

const packageDir = new URL('..', import.meta.url);
const built = ['dist/bin.js', 'dist/bundle/bin/cnpg-mcp.js']
  .map((path) => new URL(path, packageDir))
  .find((url) => existsSync(url));

if (built) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  try {
    await import(new URL('src/bin.ts', packageDir).href);
  } catch (error) {
    // The sources import the other workspace packages through their dist/ folders.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write(
      `cnpg-mcp: this checkout is not built yet (${error.message.split('\n')[0]}).\n` +
        'Run `npm run build` in the repository first (`npm start` builds too).\n',
    );
    process.exitCode = 1;
  }
}
