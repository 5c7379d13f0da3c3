import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { mappedPositionOf, positionOf } from './support/source-position.ts';

// Jobs run under tsx (esbuild output: minified, `__name` helpers, real ESM imports), which the
// in-process tests (vite's transform) do not exercise. One process ships, another rebuilds.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEXT_TOOLS = new URL('./fixtures/shipping/text-tools.ts', import.meta.url).href;
const TSX_JOB = new URL('./fixtures/shipping/tsx-job.ts', import.meta.url).href;

function runTsx(file: string, input = ''): string[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, input, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${file} exited with ${run.status}: ${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l !== '');
}

interface JobLine {
  id: string;
  name?: string;
  payload?: string;
  error?: string;
}

describe('a job file run with tsx', () => {
  let shipped: string[] = [];
  let lines: JobLine[] = [];
  beforeAll(() => {
    shipped = runTsx('test/fixtures/shipping/tsx-job.ts');
    lines = shipped.slice(1).map((l) => JSON.parse(l) as JobLine);
  });
  const payloadOf = (id: string) =>
    JSON.parse(Buffer.from(lines.find((l) => l.id === id)!.payload!, 'base64').toString('utf8')) as {
      function: Record<string, unknown>;
    };

  test('ships inline functions as source, with their imports as bindings', () => {
    expect(shipped[0]).toBe('{"event":"job-started"}');
    expect(lines.map((l) => l.name ?? null)).toEqual([
      '<lambda at tsx-job.ts:37:14>',
      '<lambda at tsx-job.ts:38:15>',
      'Average',
      'Tokens',
      'WordSplitter',
      null,
    ]);
    const lambda = payloadOf('lambda').function;
    expect(lambda).toEqual({
      kind: 'source',
      name: 'lambda@tsx-job.ts:37:14',
      source: 'line=>line.split(" ")',
      syntax: 'expression',
      bindings: {},
      map: { sources: [TSX_JOB], mappings: expect.any(String) },
    });
    // esbuild's minified text, mapped back to the TypeScript the job was written in.
    expect(mappedPositionOf(lambda, 'split')).toBe(positionOf(TSX_JOB, "split(' ')"));
    expect(mappedPositionOf(lambda, 'line')).toBe(positionOf(TSX_JOB, "line: string) => line.split(' ')"));
    const tokens = payloadOf('tokens').function['class'] as { bindings: object };
    expect(tokens.bindings).toEqual({
      MapFunction: { api: 'MapFunction' },
      __name: { helper: '__name' },
      basename: { module: 'node:path', export: 'basename' },
      sl: { api: '*' },
      tokenize: { module: TEXT_TOOLS, export: 'tokenize' },
    });
    expect(payloadOf('splitter').function).toEqual({
      kind: 'instance',
      class: { kind: 'module', module: TEXT_TOOLS, export: 'WordSplitter' },
      fields: { minLength: 4 },
    });
  });

  test('refuses a closure, naming the lambda by its place in the TypeScript file', () => {
    expect(lines.find((l) => l.id === 'scaler')!.error).toBe(
      "UnshippableFunctionError: Cannot ship map function <lambda at tsx-job.ts:30:10> of operator 'scaler' to a " +
        'worker: it closes over `factor`, a local variable of an enclosing function. Move `factor` into the ' +
        'function, pass it as a field of a function class, or export the function from a module.',
    );
  });

  test('another process rebuilds and runs every function without importing the job file', () => {
    const results = runTsx('test/fixtures/shipping/tsx-load.ts', shipped.join('\n'));
    expect(results).toEqual([
      '{"id":"lambda","result":["a","b"]}',
      '{"id":"globals","result":7}',
      '{"id":"average","result":"avg:15:TUPLE(DOUBLE, LONG)"}',
      '{"id":"tokens","result":[["hello","world"],"LONG","y.txt"]}',
      '{"id":"splitter","result":["tiny","wordy","line"]}',
    ]);
  });
});

describe('a job file of a CommonJS project run with tsx', () => {
  const UNITS = new URL('./fixtures/shipping/cjs/units.ts', import.meta.url).href;
  let shipped: string[] = [];
  beforeAll(() => {
    shipped = runTsx('test/fixtures/shipping/cjs/job.ts');
  });

  test('its imports become bindings and its exports travel by reference', () => {
    const payloads = shipped.slice(1).map((l) => {
      const line = JSON.parse(l) as JobLine;
      return JSON.parse(Buffer.from(line.payload!, 'base64').toString('utf8')) as { function: Record<string, unknown> };
    });
    expect(payloads[0]!.function['bindings']).toEqual({
      import_node_path: { module: 'node:path', export: '*' },
      import_units: { module: UNITS, export: '*' },
    });
    expect(payloads[1]!.function).toEqual({ kind: 'module', module: UNITS, export: 'toCelsius' });
    expect(payloads[2]!.function).toEqual({
      kind: 'instance',
      class: { kind: 'module', module: UNITS, export: 'Kelvin' },
      fields: {},
    });
  });

  test('another process rebuilds and runs them', () => {
    expect(runTsx('test/fixtures/shipping/tsx-load.ts', shipped.join('\n'))).toEqual([
      '{"id":"lambda","result":[100,"u.csv"]}',
      '{"id":"exported","result":0}',
      '{"id":"instance","result":274.2}',
    ]);
  });
});
