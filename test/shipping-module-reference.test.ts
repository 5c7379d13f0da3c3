import { describe, expect, test } from 'vitest';
import { FlatMapFunction } from '../shared/api/index.ts';
import countWords, { shout, textToolsLoads, tokenize, WordSplitter } from './fixtures/shipping/text-tools.ts';
import { importedModules, roundTrip } from './fixtures/shipping/round-trip.ts';

const TEXT_TOOLS = new URL('./fixtures/shipping/text-tools.ts', import.meta.url).href;

export function exportedFromThisTestFile(x: number): number {
  return x + 1;
}

describe('functions exported from a module travel by reference', () => {
  test('an exported function that uses a private helper of its module', async () => {
    const { payload, loaded } = await roundTrip(tokenize);
    expect(payload).toEqual({ name: 'tokenize', function: { kind: 'module', module: TEXT_TOOLS, export: 'tokenize' } });
    expect(loaded('  The  Cat ')).toEqual(['the', 'cat']);
  });

  test('an object of an exported class: the class by reference, the fields by value', async () => {
    const splitter = new WordSplitter();
    splitter.minLength = 3;
    const { payload, loaded } = await roundTrip(splitter);
    expect(payload.function).toEqual({
      kind: 'instance',
      class: { kind: 'module', module: TEXT_TOOLS, export: 'WordSplitter' },
      fields: { minLength: 3 },
    });
    expect(loaded).toBeInstanceOf(FlatMapFunction);
    expect(loaded).not.toBe(splitter);
    const words: string[] = [];
    loaded.flatMap('A big  CAT sat', { collect: (w: string) => words.push(w) });
    expect(words).toEqual(['big', 'cat', 'sat']);
  });

  test('an exported arrow function and a default export', async () => {
    const arrow = await roundTrip(shout);
    expect(arrow.payload.function).toEqual({ kind: 'module', module: TEXT_TOOLS, export: 'shout' });
    expect(arrow.loaded(' hey ')).toBe('HEY!');
    const byDefault = await roundTrip(countWords);
    expect(byDefault.payload.function).toEqual({ kind: 'module', module: TEXT_TOOLS, export: 'default' });
    expect(byDefault.loaded('one two three')).toBe(3);
  });

  test('loading by reference does not evaluate the module again', async () => {
    const before = textToolsLoads();
    await roundTrip(tokenize);
    await roundTrip(new WordSplitter());
    expect(textToolsLoads()).toBe(before);
    expect(before).toBe(1);
  });

  test('a test file is never loaded by reference, even for what it exports', async () => {
    const { shipped, payload, loaded } = await roundTrip(exportedFromThisTestFile);
    expect(payload.function['kind']).toBe('source');
    expect(importedModules(shipped.payload)).toEqual([]);
    expect(loaded(1)).toBe(2);
  });
});
