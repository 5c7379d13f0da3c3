import { describe, expect, test } from 'vitest';
import { basename } from 'node:path';
import { Parser } from 'acorn';
import { MapFunction, Types } from '../shared/api/index.ts';
import * as sl from '../shared/api/index.ts';
import countWords, { STOPWORDS, tokenize as words } from './fixtures/shipping/text-tools.ts';
import { resolveSpecifier } from '../host/shipping/module-specifiers.ts';
import { roundTrip } from './fixtures/shipping/round-trip.ts';

const TEXT_TOOLS = new URL('./fixtures/shipping/text-tools.ts', import.meta.url).href;

class KeepContent extends MapFunction<string, string[]> {
  map(line: string): string[] {
    return words(line).filter((w) => !STOPWORDS.has(w));
  }
}

describe('names a function imports travel as bindings the worker imports', () => {
  test('a lambda using functions imported from a module', async () => {
    const fn = (line: string) => [countWords(line), ...words(line)];
    const { payload, loaded } = await roundTrip(fn);
    expect(payload.function['kind']).toBe('source');
    // vitest imports a module as one namespace: the binding is the namespace.
    expect(Object.values(payload.function['bindings'] as object)).toEqual([{ module: TEXT_TOOLS, export: '*' }]);
    expect(loaded('The cat')).toEqual([2, 'the', 'cat']);
  });

  test('a class using an imported value and an imported base class', async () => {
    const { payload, loaded } = await roundTrip(new KeepContent());
    const bindings = Object.values((payload.function['class'] as { bindings: object }).bindings);
    expect(bindings).toContainEqual({ api: 'MapFunction' });
    expect(bindings).toContainEqual({ module: TEXT_TOOLS, export: '*' });
    expect(loaded.map('the cat and a dog')).toEqual(['cat', 'and', 'dog']);
  });

  test('Sluice API names, by name and through a namespace import', async () => {
    const fn = (v: number) => [Types.LONG().toString(), sl.Types.STRING().toString(), v];
    const { payload, loaded } = await roundTrip(fn);
    expect(Object.values(payload.function['bindings'] as object)).toEqual([{ api: '*' }, { api: '*' }]);
    expect(loaded(1)).toEqual(['LONG', 'STRING', 1]);
  });

  test('a package and a Node builtin', async () => {
    const fn = (src: string) => [Parser.parse(src, { ecmaVersion: 2022 }).body.length, basename('/a/b.txt')];
    const { payload, loaded } = await roundTrip(fn);
    const modules = Object.values(payload.function['bindings'] as Record<string, { module: string }>).map((b) => b.module);
    expect(modules.sort()).toEqual([new URL('../node_modules/acorn/dist/acorn.mjs', import.meta.url).href, 'node:path']);
    expect(loaded('a; b;')).toEqual([2, 'b.txt']);
  });
});

describe('module specifiers as written in a job file (tsx)', () => {
  const job = new URL('./fixtures/shipping/job-module.ts', import.meta.url).href;

  test("'sluice' and Sluice's own entry points are the API", () => {
    expect(resolveSpecifier('sluice', 'esm', job)).toEqual({ kind: 'api' });
    expect(resolveSpecifier('../../../shared/api/index.ts', 'esm', job)).toEqual({ kind: 'api' });
    expect(resolveSpecifier('../../../host/index.ts', 'esm', job)).toEqual({ kind: 'api' });
  });

  test('relative paths become file URLs, with the TypeScript file for a .js specifier', () => {
    expect(resolveSpecifier('./text-tools.js', 'esm', job)).toEqual({ kind: 'module', module: TEXT_TOOLS });
    expect(resolveSpecifier('./text-tools', 'esm', job)).toEqual({ kind: 'module', module: TEXT_TOOLS });
  });

  test('builtins get the node: prefix; packages stay bare, with the module that imports them', () => {
    expect(resolveSpecifier('fs', 'esm', job)).toEqual({ kind: 'module', module: 'node:fs' });
    expect(resolveSpecifier('acorn', 'esm', job)).toEqual({ kind: 'module', module: 'acorn', from: job });
  });

  test("vite's ids: /@fs/ paths and root-relative paths", () => {
    const path = new URL(TEXT_TOOLS).pathname;
    expect(resolveSpecifier(`/@fs${path}`, 'vite', job)).toEqual({ kind: 'module', module: TEXT_TOOLS });
    expect(resolveSpecifier('/test/fixtures/shipping/text-tools.ts', 'vite', job)).toEqual({
      kind: 'module',
      module: TEXT_TOOLS,
    });
    expect(resolveSpecifier('/shared/api/index.ts', 'vite', job)).toEqual({ kind: 'api' });
  });
});
