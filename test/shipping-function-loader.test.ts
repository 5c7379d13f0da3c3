import { describe, expect, test } from 'vitest';
import { UnshippableFunctionError } from '../shared/errors/errors.ts';
import { loadFunction } from '../worker/function-loader.ts';
import { failureOf } from './support/failure.ts';

const TEXT_TOOLS = new URL('./fixtures/shipping/text-tools.ts', import.meta.url).href;

function spec(doc: unknown): { urn: string; payload: Uint8Array } {
  return { urn: 'sluice:fn:js:v1', payload: new TextEncoder().encode(JSON.stringify(doc)) };
}

async function loadError(s: { urn: string; payload: Uint8Array }): Promise<string> {
  const e = await failureOf(loadFunction(s));
  expect(e).toBeInstanceOf(UnshippableFunctionError);
  return (e as Error).message;
}

describe('the worker rebuilds functions from payloads (proto/functions.md)', () => {
  test('a payload written by hand, as a worker in another language would read it', async () => {
    const fn = await loadFunction(
      spec({
        name: 'Scale',
        function: {
          kind: 'instance',
          class: {
            kind: 'source',
            name: 'Scale',
            source: 'class Scale extends MapFunction { map(v) { return [v * this.factor, shout(this.word), Types.LONG().kind] } }',
            syntax: 'expression',
            bindings: {
              MapFunction: { api: 'MapFunction' },
              Types: { api: 'Types' },
              shout: { module: TEXT_TOOLS, export: 'shout' },
            },
          },
          fields: { factor: { $: 'bigint', value: '3' }, word: 'hey' },
        },
      }),
    );
    expect((fn as { map(v: bigint): unknown }).map(2n)).toEqual([6n, 'HEY!', 'LONG']);
  });

  test('compiler helpers are provided', async () => {
    const fn = (await loadFunction(
      spec({
        name: 'K',
        function: {
          kind: 'source',
          name: 'K',
          source: 'class K{static{__name(this,"Renamed")}constructor(){__publicField(this,"x",1)}}',
          syntax: 'expression',
          bindings: { __name: { helper: '__name' }, __publicField: { helper: '__publicField' } },
        },
      }),
    )) as new () => { x: number };
    expect(fn.name).toBe('Renamed');
    expect(new fn().x).toBe(1);
  });

  test('an unknown format is refused', async () => {
    expect(await loadError({ urn: 'sluice:fn:python:v1', payload: new Uint8Array() })).toBe(
      "this worker cannot load a function described as 'sluice:fn:python:v1': it understands sluice:fn:js:v1",
    );
  });

  test('a malformed payload is refused with the path of the fault', async () => {
    expect(await loadError({ urn: 'sluice:fn:js:v1', payload: new Uint8Array([0x7b]) })).toMatch(
      /^Cannot load function <function> in the worker: /,
    );
    expect(
      await loadError(
        spec({ name: 'f', function: { kind: 'object', fields: { when: { $: 'date', value: 'soon' } } } }),
      ),
    ).toBe('Cannot load function f in the worker: function.when: not a number');
    expect(await loadError(spec({ name: 'f', function: { kind: 'lambda' } }))).toBe(
      'Cannot load function f in the worker: function: unknown kind "lambda"',
    );
  });

  test('a missing export is refused, naming the module', async () => {
    expect(await loadError(spec({ name: 'g', function: { kind: 'module', module: TEXT_TOOLS, export: 'nope' } }))).toBe(
      `Cannot load function g in the worker: module ${TEXT_TOOLS} has no export 'nope'`,
    );
  });

  test('a global is looked up by its path, and must be a function', async () => {
    expect(await loadFunction(spec({ name: 'abs', function: { kind: 'global', path: 'Math.abs' } }))).toBe(Math.abs);
    expect(await loadError(spec({ name: 'pi', function: { kind: 'global', path: 'Math.PI' } }))).toBe(
      'Cannot load function pi in the worker: function: the global Math.PI is not a function in this worker',
    );
    expect(await loadError(spec({ name: 'x', function: { kind: 'global', path: 'Object.prototype.nope' } }))).toBe(
      'Cannot load function x in the worker: function: the global Object.prototype.nope is not a function in this worker',
    );
  });

  test('a binding name must be an identifier', async () => {
    const doc = { name: 'h', function: { kind: 'source', name: 'h', source: 'x => x', syntax: 'expression', bindings: { 'a) {': { api: 'Types' } } } };
    expect(await loadError(spec(doc))).toBe('Cannot load function h in the worker: function: binding "a) {" is not an identifier');
  });
});
