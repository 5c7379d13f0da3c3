/**
 * RESULTS.md: one section per run, newest first, each with the date, the machine, the exact
 * command and a table per case. The same markdown is printed at the end of a run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { CaseReport } from './benchmark-case.ts';
import { formatRatio } from './format.ts';
import type { Machine } from './machine.ts';

export interface RunRecord {
  startedAt: Date;
  durationMs: number;
  command: string;
  machine: Machine;
  repetitions: number;
  quick: boolean;
  /** Every case with its defaults (RunOptions.fullSuite): the run the time budget is about. */
  fullSuite: boolean;
  reports: CaseReport[];
  /** Wall time of each case's process, in the order they ran. */
  caseMinutes: { id: string; minutes: number }[];
  /** Cases that failed, with why. */
  failures: { id: string; message: string }[];
  /** Run-wide problems: a case process that did not exit, a worker process still alive. */
  warnings: string[];
}

/** What `npm run bench` (every case, default repetitions) may take: issue 6's "under ten minutes". */
const SUITE_BUDGET_MS = 10 * 60_000;

/** New sections go right below this line. */
const MARKER = '<!-- new runs are inserted below this line by benchmarks/run.ts -->';

const HEADER = `# Benchmark results

Written by \`npm run bench\` (benchmarks/run.ts), newest run first; benchmarks/README.md says how
to read a table. **The ratio is the figure**: both of its sides were measured in the same run,
interleaved. The rows/s columns depend on the machine and on whatever else it was doing.

${MARKER}
`;

export function renderRun(run: RunRecord): string {
  const m = run.machine;
  const lines: string[] = [];
  const when = run.startedAt.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  lines.push(`## ${when}${run.quick ? ' (quick smoke run: not figures to quote)' : ''}`, '');
  lines.push(`- command: \`${run.command}\``);
  lines.push(`- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB, ${m.os}, Node ${m.node}`);
  lines.push(`- load average at start (1/5/15 min): ${m.loadAverage.map((l) => l.toFixed(2)).join(' / ')}`);
  lines.push(`- commit: ${m.commit}`);
  lines.push(`- ${run.repetitions} repetition(s) per figure; the run took ${(run.durationMs / 60_000).toFixed(1)} min`);
  if (run.caseMinutes.length > 1) lines.push(`- minutes per case: ${run.caseMinutes.map((c) => `${c.id} ${c.minutes.toFixed(1)}`).join(', ')}`);
  if (run.fullSuite && run.durationMs > SUITE_BUDGET_MS) {
    lines.push(`- **warning:** the whole suite took longer than the ${SUITE_BUDGET_MS / 60_000} minutes issue 6 gives it`);
  }
  for (const w of run.warnings) lines.push(`- **warning:** ${w}`);
  for (const report of run.reports) {
    lines.push('', `### ${report.id}: ${report.title}`, '', report.workload, '');
    lines.push('| figure | ratio (median) | range over reps | case (median) * | baseline (median) * |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const row of report.rows) {
      const range = `${formatRatio(row.range[0])} – ${formatRatio(row.range[1])}`;
      lines.push(`| ${row.figure} | **${formatRatio(row.ratio)}** | ${range} | ${row.caseAbsolute} | ${row.baselineAbsolute} |`);
    }
    lines.push('', '\\* machine-dependent; compare the ratios, not these.', '');
    for (const note of report.notes) lines.push(`- ${note}`);
    for (const w of report.warnings) lines.push(`- **warning:** ${w}`);
  }
  for (const f of run.failures) {
    lines.push('', `### ${f.id}: FAILED`, '', '```', f.message.trim(), '```');
  }
  return `${lines.join('\n')}\n`;
}

/** Inserts the run's section above the earlier ones, creating the file the first time. */
export function addRunToResults(path: string, section: string): void {
  let text = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  if (!text.includes(MARKER)) text = `${HEADER}\n${text}`;
  const at = text.indexOf(MARKER) + MARKER.length;
  const earlier = text.slice(at).trimStart();
  writeFileSync(path, `${text.slice(0, at)}\n\n${section}${earlier === '' ? '' : `\n${earlier}`}`);
}
