import { VERSION } from './version.js';

process.umask(0o077);
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  // Answered before the CLI is loaded, so it works in a checkout that is not built yet.
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./cli.js');
  main(argv).then(
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
}
