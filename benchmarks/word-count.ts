/**
 * The README's word count, in every mode: lines read from a file, split into `[word, 1]`
 * tuples (flatMap), keyBy the word, reduce by adding the counts; and the same pipeline with an
 * identity map in place of the reduce, so that what the running tuple in keyed state costs
 * shows beside it. Not part of the suite (`npm run bench`): it is what a user runs first, and
 * what a change to the state path or the tuple codec should be checked against.
 *
 *   npx tsx benchmarks/word-count.ts [--reps N] [--lines N]
 *
 * The text is generated (10 words a line from a vocabulary of 20,000, a fixed seed) into a
 * temporary file. Each repetition runs every variant once, in turn; the figures are medians
 * over the repetitions of words/s at the sink in each job's steady state (timed-job.ts), of
 * each mode's rate ÷ embedded mode's, and of the reduce's rate ÷ the identity map's in the same
 * mode and repetition.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLogLevel, Types, type DataStream, type StreamExecutionEnvironment } from '../host/index.ts';
import { formatRate } from './lib/format.ts';
import { median } from './lib/stats.ts';
import { runTimedJob, type ExecutionMode } from './lib/timed-job.ts';

const WORDS_PER_LINE = 10;
const VOCABULARY = 20_000;
const MODES: readonly ExecutionMode[] = ['embedded', 'process', 'thread'];
const VARIANTS = ['reduce', 'identity map'] as const;
type Variant = (typeof VARIANTS)[number];
type WordCount = [string, number];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a positive integer, got ${process.argv[at + 1]}`);
  return value;
}

function writeText(path: string, lines: number): void {
  let x = 1;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const words: string[] = [];
    for (let j = 0; j < WORDS_PER_LINE; j++) {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      words.push(`w${x % VOCABULARY}`);
    }
    out.push(words.join(' '));
  }
  writeFileSync(path, `${out.join('\n')}\n`);
}

function pipeline(path: string, variant: Variant): (env: StreamExecutionEnvironment) => DataStream<WordCount> {
  return (env) => {
    const keyed = env
      .readTextFile(path)
      .flatMap((line: string) => line.split(/\s+/).map((w): WordCount => [w, 1]), Types.TUPLE([Types.STRING(), Types.LONG()]))
      .keyBy((t: WordCount) => t[0]);
    return variant === 'reduce'
      ? keyed.reduce((a: WordCount, b: WordCount): WordCount => [a[0], a[1] + b[1]])
      : keyed.map((t: WordCount) => t, Types.TUPLE([Types.STRING(), Types.LONG()]));
  };
}

const reps = option('--reps', 3);
const lines = option('--lines', 200_000);
const words = lines * WORDS_PER_LINE;
setLogLevel('warn');
const dir = mkdtempSync(join(tmpdir(), 'sluice-word-count-'));
try {
  const path = join(dir, 'words.txt');
  writeText(path, lines);
  const rates = new Map<string, number[]>();
  for (let r = 0; r < reps; r++) {
    for (const variant of VARIANTS) {
      for (const mode of MODES) {
        const job = await runTimedJob({ name: `word count, ${variant} (${mode})`, records: words, mode, pipeline: pipeline(path, variant), onWorkerPids: () => undefined });
        const key = `${variant}|${mode}`;
        rates.set(key, [...(rates.get(key) ?? []), job.rowsPerSecond]);
      }
    }
  }
  const rate = (variant: Variant, mode: ExecutionMode, r: number): number => rates.get(`${variant}|${mode}`)![r]!;
  const each = (f: (r: number) => number): number[] => Array.from({ length: reps }, (_, r) => f(r));
  console.log(`word count: ${words.toLocaleString('en-US')} words (${lines.toLocaleString('en-US')} lines), ${reps} repetition(s); medians\n`);
  console.log('| mode | reduce | ÷ embedded | identity map | ÷ embedded | reduce ÷ identity map |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const mode of MODES) {
    const cells = [
      formatRate(median(each((r) => rate('reduce', mode, r)))),
      median(each((r) => rate('reduce', mode, r) / rate('reduce', 'embedded', r))).toFixed(3),
      formatRate(median(each((r) => rate('identity map', mode, r)))),
      median(each((r) => rate('identity map', mode, r) / rate('identity map', 'embedded', r))).toFixed(3),
      median(each((r) => rate('reduce', mode, r) / rate('identity map', mode, r))).toFixed(3),
    ];
    console.log(`| ${mode} | ${cells.join(' | ')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
