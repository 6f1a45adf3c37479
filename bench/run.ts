/**
 * `npm run bench`: runs the benchmarks and writes docs/benchmarks.md. Targets are reported, not
 * asserted. `npm run bench -- remote-api` runs only the named benchmarks and replaces only their
 * sections of docs/benchmarks.md, keeping the others.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { type BenchSection, machineDescription, targetLines } from './lib/report.js';
import { runRemoteApiBench } from './remote-api.js';
import { runStdioBench } from './stdio.js';

const BENCHES: Record<string, () => Promise<BenchSection>> = {
  stdio: runStdioBench,
  'remote-api': runRemoteApiBench,
};
const DOC = new URL('../docs/benchmarks.md', import.meta.url);

const selected = process.argv.slice(2).filter((name) => !name.startsWith('-'));
for (const name of selected) {
  if (!BENCHES[name])
    throw new Error(`unknown benchmark ${name}; expected one of ${Object.keys(BENCHES).join(', ')}`);
}
const names = selected.length ? selected : Object.keys(BENCHES);

/** The sections of the current document, by title, in order. */
function existingSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(DOC)) return sections;
  const parts = readFileSync(DOC, 'utf8')
    .split(/^(?=## )/m)
    .slice(1);
  for (const part of parts) sections.set(part.slice(3, part.indexOf('\n')).trim(), part.trimEnd());
  return sections;
}

const load = () =>
  loadavg()
    .slice(0, 2)
    .map((value) => value.toFixed(1))
    .join(' / ');

const sections = existingSections();
for (const name of names) {
  process.stderr.write(`bench: running ${name}…\n`);
  const loadBefore = load();
  const section = await BENCHES[name]!();
  const provenance = `Measured by \`npm run bench -- ${name}\` on ${new Date().toISOString().slice(0, 10)}; load average (1 / 5 min) ${loadBefore} before, ${load()} after, on 2 cores shared with other work.`;
  const text = `## ${section.title}\n\n${provenance}\n\n${section.body}\n\n### Targets\n\n${targetLines(section.targets)}`;
  sections.set(section.title, text);
  process.stdout.write(`\n${text}\n`);
}

const report = `# Benchmarks

Produced by \`npm run bench\`; \`npm run bench -- <name>\` measures one section again and keeps the others.
Machine: ${machineDescription()}.

Targets are shown, not asserted by tests; numbers from a shared 2-core machine vary by ±15 %, and
more when other work runs (each section notes the load average around its run).
Where the time and memory go, what was changed and what is left: [performance.md](performance.md).

${[...sections.values()].join('\n\n')}
`;
writeFileSync(DOC, report);
process.stderr.write('bench: wrote docs/benchmarks.md\n');
process.exit(0);
