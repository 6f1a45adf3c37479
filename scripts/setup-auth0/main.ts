#!/usr/bin/env node
// Sets up an Auth0 tenant for cnpg-mcp: node --import tsx scripts/setup-auth0/main.ts --help
import { Auth0Error } from './management-client.js';
import { parseOptions, USAGE, UsageError } from './options.js';
import { renderResult } from './render.js';
import { runSetup } from './setup.js';

try {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
  } else {
    const result = await runSetup(options);
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderResult(result));
  }
} catch (error) {
  if (error instanceof UsageError || error instanceof Auth0Error) {
    process.stderr.write(`setup-auth0: ${error.message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
  throw error;
}
