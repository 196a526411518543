import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryGb: number;
  node: string;
  platform: string;
  /** 1-minute load average when the scenario started (other work on the machine makes numbers noisy). */
  loadAverage: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: Number((loadavg()[0] ?? 0).toFixed(2)),
    date: new Date().toISOString(),
  };
}

export interface Table {
  caption: string;
  columns: string[];
  rows: string[][];
}

export interface TargetCheck {
  /** What is compared, e.g. "hub ≥ 0.5× direct shard (req/s)". */
  target: string;
  measured: string;
  /** null: informational, or not measurable in this run. */
  met: boolean | null;
}

export interface ScenarioResult {
  name: string;
  /** The command line that produced it. */
  command: string;
  title: string;
  machine: MachineInfo;
  /** How it ran: rounds, seconds, connections, sizes. */
  settings: Record<string, unknown>;
  tables: Table[];
  targets: TargetCheck[];
  notes: string[];
  /** Every round's figures, for whoever wants to recompute. */
  raw: unknown;
  durationSeconds: number;
  /** 1-minute load average when the scenario ended: with the one at start, how busy the machine was meanwhile. */
  loadAverageEnd: number;
}

export interface BenchResults {
  command: string;
  /** Machine of the latest run (each scenario carries its own too). */
  machine: MachineInfo;
  scenarios: Record<string, ScenarioResult>;
}

export const fmt = {
  int: (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–'),
  ms: (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '–'),
  ratio: (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–'),
  num: (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–'),
};

function textTable(table: Table): string {
  const widths = table.columns.map((column, i) =>
    Math.max(column.length, ...table.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [
    table.caption,
    line(table.columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.rows.map(line),
  ].join('\n');
}

const verdict = (met: boolean | null) => (met === null ? 'info' : met ? 'MET' : 'MISSED');

export function printScenario(result: ScenarioResult): void {
  console.log(
    `\n== ${result.title} (${result.durationSeconds.toFixed(0)} s, load average ${result.machine.loadAverage} → ${result.loadAverageEnd}) ==`,
  );
  for (const table of result.tables) console.log(`\n${textTable(table)}`);
  if (result.targets.length > 0) {
    console.log('');
    for (const check of result.targets)
      console.log(`  [${verdict(check.met).padEnd(6)}] ${check.target}: ${check.measured}`);
  }
  for (const note of result.notes) console.log(`  note: ${note}`);
}

/** A column of figures (right-aligned): every non-empty cell starts with a digit or a dash. */
function numeric(table: Table, column: number): boolean {
  return table.rows.every((row) => {
    const cell = (row[column] ?? '').trim();
    return cell === '' || /^[-–\d]/.test(cell);
  });
}

function markdownTable(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `**${table.caption}**`,
    '',
    `| ${table.columns.map(escape).join(' | ')} |`,
    `| ${table.columns.map((_, i) => (i > 0 && numeric(table, i) ? '---:' : '---')).join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

export function markdown(results: BenchResults, order: readonly string[]): string {
  const m = results.machine;
  const lines = [
    '# Benchmark results',
    '',
    `Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}. Last written by \`${results.command}\` on ${m.date.slice(0, 10)};`,
    'each section below names the command, time and load average of its own run (running one scenario keeps the',
    "others' last results). Every target runs as its own process on this machine; figures are medians over",
    "alternating rounds (see each scenario's settings). Latencies in ms, as the load generator (autocannon) timed",
    'each response. Regenerate with `npm run bench` or `npm run bench -- <scenario> …` (README, "Benchmark").',
    '',
  ];
  const names = [
    ...order.filter((n) => results.scenarios[n]),
    ...Object.keys(results.scenarios).filter((n) => !order.includes(n)),
  ];
  const all = names
    .flatMap((name) => (results.scenarios[name]?.targets ?? []).map((t) => ({ name, ...t })))
    .filter((t) => t.met !== null);
  if (all.length > 0) {
    lines.push('## Targets', '', '| scenario | target | measured | |', '| --- | --- | --- | --- |');
    for (const t of all) lines.push(`| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? 'met' : '**missed**'} |`);
    lines.push('');
  }
  for (const name of names) {
    const result = results.scenarios[name];
    if (!result) continue;
    const sm = result.machine;
    lines.push(
      `## ${result.title}`,
      '',
      `\`${result.command}\` · ran ${sm.date.replace('T', ' ').slice(0, 16)} UTC · ${sm.cpuCount} × ${sm.cpuModel}, ${sm.memoryGb} GB · Node ${sm.node} · load average ${sm.loadAverage} at start, ${result.loadAverageEnd ?? '?'} at end · ${result.durationSeconds.toFixed(0)} s`,
      '',
      `Settings: ${Object.entries(result.settings)
        .map(([key, value]) => `${key} = ${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join('; ')}`,
      '',
    );
    for (const table of result.tables) lines.push(markdownTable(table), '');
    if (result.targets.length > 0) {
      for (const check of result.targets)
        lines.push(
          `- ${check.met === null ? '' : check.met ? '**met** — ' : '**missed** — '}${check.target}: ${check.measured}`,
        );
      lines.push('');
    }
    for (const note of result.notes) lines.push(`> ${note}`, '');
  }
  return `${lines.join('\n').trim()}\n`;
}

/**
 * Writes latest.json and latest.md; scenarios not run this time keep their previous results (each carries
 * its own date and machine), so running one scenario does not erase the others.
 */
export function writeResults(
  dir: string,
  command: string,
  fresh: Record<string, ScenarioResult>,
  order: readonly string[],
): BenchResults {
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, 'latest.json');
  let previous: Record<string, ScenarioResult> = {};
  if (existsSync(jsonPath)) {
    try {
      previous = (JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchResults).scenarios ?? {};
    } catch {
      previous = {};
    }
  }
  const results: BenchResults = { command, machine: machineInfo(), scenarios: { ...previous, ...fresh } };
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.md'), markdown(results, order));
  return results;
}
