import { cpus, totalmem } from 'node:os';

export interface Target {
  name: string;
  target: string;
  actual: string;
  met: boolean;
}

export interface BenchSection {
  title: string;
  /** Markdown body: tables and notes. */
  body: string;
  targets: Target[];
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

export function targetLines(targets: Target[]): string {
  return targets
    .map((t) => `- ${t.met ? 'met' : 'NOT met'}: ${t.name}: target ${t.target}, measured ${t.actual}`)
    .join('\n');
}
