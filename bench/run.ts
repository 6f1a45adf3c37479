/**
 * `npm run bench`: runs the benchmarks and writes docs/benchmarks.md. Targets are reported, not
 * asserted. `npm run bench -- remote-api` runs only the named benchmarks.
 */
import { writeFileSync } from 'node:fs';
import { type BenchSection, machineDescription, targetLines } from './lib/report.js';
import { runRemoteApiBench } from './remote-api.js';
import { runStdioBench } from './stdio.js';

const BENCHES: Record<string, () => Promise<BenchSection>> = {
  stdio: runStdioBench,
  'remote-api': runRemoteApiBench,
};

const selected = process.argv.slice(2).filter((name) => !name.startsWith('-'));
for (const name of selected) {
  if (!BENCHES[name])
    throw new Error(`unknown benchmark ${name}; expected one of ${Object.keys(BENCHES).join(', ')}`);
}
const names = selected.length ? selected : Object.keys(BENCHES);
const sections: BenchSection[] = [];
for (const name of names) {
  process.stderr.write(`bench: running ${name}…\n`);
  const section = await BENCHES[name]!();
  sections.push(section);
  process.stdout.write(`\n## ${section.title}\n\n${section.body}\n\n${targetLines(section.targets)}\n`);
}

const report = `# Benchmarks

Produced by \`npm run bench${selected.length ? ` -- ${selected.join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machineDescription()}.

Targets are shown, not asserted by tests; numbers from a shared 2-core machine vary by ±15 %.
Where the time and memory go, what was changed and what is left: [performance.md](performance.md).

${sections.map((s) => `## ${s.title}\n\n${s.body}\n\n### Targets\n\n${targetLines(s.targets)}`).join('\n\n')}
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), report);
process.stderr.write('bench: wrote docs/benchmarks.md\n');
process.exit(0);
