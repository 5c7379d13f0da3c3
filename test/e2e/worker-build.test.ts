/**
 * Workers start from their build (host/workers/worker-build.ts) unless told otherwise. A job's
 * module loaded in such a worker shares Sluice's API classes with the harness and the values it
 * decodes; and workers started from source give the same results.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Types } from '../../host/index.ts';
import { recordedInputs, useWorkerBuild, workerBuild } from '../../host/workers/worker-build.ts';
import { hostLog } from '../../host/log.ts';
import { redirected } from '../../shared/module-hooks.ts';
import { calledFromBuild, TypeChecker, Tokenizer } from '../fixtures/functions.ts';
import { collect, environment, MODES } from '../support/jobs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

afterEach(() => useWorkerBuild(true));

describe.each(MODES)('%s mode', (mode) => {
  it("a module's API classes are the worker's", async () => {
    const env = environment(mode);
    const out = collect(env.fromCollection([1, 2], Types.LONG()).map(new TypeChecker(Types.LONG()), Types.STRING()));
    await env.execute('api identity');
    const tuple = '{"kind":"TUPLE","fields":[{"kind":"LONG"},{"kind":"STRING"}]}';
    expect(out).toEqual([`1 true ${tuple}`, `2 true ${tuple}`]);
  });
});

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  it('runs the harness from the build', async () => {
    const env = environment(mode);
    const out = collect(env.fromCollection([1, 2], Types.LONG()).map(calledFromBuild, Types.STRING()));
    await env.execute('from the build');
    expect(out).toEqual(['1 true', '2 true']);
  });

  it('runs it from source when told to, with the same results', async () => {
    useWorkerBuild(false);
    const env = environment(mode);
    const where = collect(env.fromCollection([1, 2], Types.LONG()).map(calledFromBuild, Types.STRING()));
    const words = collect(env.fromCollection(['The cat', ' SAT '], Types.STRING()).flatMap(new Tokenizer(), Types.STRING()));
    await env.execute('from source');
    expect(where).toEqual(['1 false', '2 false']);
    expect(words).toEqual(['the', 'cat', 'sat']);
  });
});

describe('the build', () => {
  it('records the files it was made from, the harness among them', async () => {
    const build = await workerBuild(hostLog);
    expect(build).not.toBeNull();
    const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules/.cache/sluice/worker/current.json'), 'utf8')) as {
      id: string;
      inputs: [string, number, number][];
    };
    expect(build!.dir.endsWith(`/${manifest.id}/`)).toBe(true);
    const inputs = manifest.inputs.map(([path]) => path);
    expect(inputs).toContain(join(ROOT, 'worker/harness.ts'));
    expect(inputs).toContain(join(ROOT, 'shared/api/types.ts'));
  });

  it('records an input changed while it was built as changed', () => {
    const startedAt = 1_700_000_000_000;
    const stats: [string, number, number][] = [
      ['/src/a.ts', 10, startedAt - 60_000],
      ['/src/b.ts', 20, startedAt - 1_001],
      ['/src/c.ts', 30, startedAt - 1_000],
      ['/src/d.ts', 40, startedAt + 250],
    ];
    expect(recordedInputs(stats, startedAt)).toEqual([
      ['/src/a.ts', 10, startedAt - 60_000],
      ['/src/b.ts', 20, startedAt - 1_001],
      ['/src/c.ts', 30, -1],
      ['/src/d.ts', 40, -1],
    ]);
  });

  it("redirects Sluice's API sources to the build's modules, and nothing else", () => {
    const rules = [{ from: 'file:///src/shared/api/', to: 'file:///cache/abc/shared/api/' }];
    expect(redirected('file:///src/shared/api/types.ts', rules)).toBe('file:///cache/abc/shared/api/types.mjs');
    expect(redirected('file:///src/shared/api/types.ts?tsx-namespace=1', rules)).toBe('file:///cache/abc/shared/api/types.mjs');
    expect(redirected('file:///src/shared/codec/batch.ts', rules)).toBeNull();
    expect(redirected('file:///src/shared/api/data.json', rules)).toBeNull();
  });
});
