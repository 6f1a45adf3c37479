/**
 * `npm run bench`: runs the benchmarks and writes docs/benchmarks.md. Targets are reported, not
 * asserted. `npm run bench -- stdio` runs only the named benchmarks and replaces only their
 * sections of docs/benchmarks.md (each section carries a marker naming its benchmark).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BenchSection, machineDescription, targetLines } from './lib/report.js';
import { runRemoteApiBench } from './remote-api.js';
import { runStdioBench } from './stdio.js';

const BENCHES: Record<string, () => Promise<BenchSection>> = {
  stdio: runStdioBench,
  'remote-api': runRemoteApiBench,
};
const REPORT = new URL('../docs/benchmarks.md', import.meta.url);

const selected = process.argv.slice(2).filter((name) => !name.startsWith('-'));
for (const name of selected) {
  if (!BENCHES[name])
    throw new Error(`unknown benchmark ${name}; expected one of ${Object.keys(BENCHES).join(', ')}`);
}

const marker = (name: string) => `<!-- bench: ${name} -->`;

/** The sections of the current report, by benchmark name (those written with a marker). */
function earlierSections(): Map<string, string> {
  const sections = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync(REPORT, 'utf8');
  } catch {
    return sections;
  }
  for (const part of text.split(/\n(?=## )/).slice(1)) {
    const name = /<!-- bench: ([\w-]+) -->/.exec(part)?.[1];
    if (name && BENCHES[name]) sections.set(name, part.trimEnd());
  }
  return sections;
}

/** The machine's load average (1 and 5 minutes): the machine is shared, and this says how busy it was. */
const load = () =>
  loadavg()
    .slice(0, 2)
    .map((value) => value.toFixed(1))
    .join(' / ');

const sections = earlierSections();
const date = new Date().toISOString().slice(0, 10);
for (const name of selected.length ? selected : Object.keys(BENCHES)) {
  process.stderr.write(`bench: running ${name}…\n`);
  const loadBefore = load();
  const section = await BENCHES[name]!();
  process.stdout.write(`\n## ${section.title}\n\n${section.body}\n\n${targetLines(section.targets)}\n`);
  sections.set(
    name,
    `## ${section.title}\n${marker(name)}\n\nMeasured on ${date} (\`npm run bench -- ${name}\`); load average (1 / 5 min) ${loadBefore} before, ${load()} after, on 2 cores shared with other work.\n\n${section.body}\n\n### Targets\n\n${targetLines(section.targets)}`,
  );
}

const report = `# Benchmarks

Produced by \`npm run bench\` (\`npm run bench -- NAME\` runs one benchmark and replaces its section).
Machine: ${machineDescription()}.

Targets are shown, not asserted by tests; numbers from a shared 2-core machine vary by ±15 %, more
when other work runs on it (each section says when it was measured; the figures inside a section
come from one run, interleaved, so they compare with each other).
Where the time and memory go, what was changed and what is left: [performance.md](performance.md).

${Object.keys(BENCHES)
  .map((name) => sections.get(name))
  .filter((section) => section !== undefined)
  .join('\n\n')}
`;
writeFileSync(REPORT, report);
// The tables are written as measured; Biome aligns them as the repository's lint expects.
spawnSync('npx', ['biome', 'format', '--write', fileURLToPath(REPORT)], { stdio: 'ignore' });
process.stderr.write('bench: wrote docs/benchmarks.md\n');
process.exit(0);
