import { main } from './cli.js';

process.umask(0o077);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Exit even if a keep-alive socket or timer of a library is still open; the work is done.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    process.stderr.write(`cnpg-mcp: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
