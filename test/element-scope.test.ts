import { describe, expect, it } from 'vitest';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { KeyColumnBuilder } from '../shared/codec/key-column.ts';
import { ElementScope } from '../worker/processor/element-scope.ts';

describe('the element scope (the current key)', () => {
  it("gives a key column's row as where its bytes are, and its bytes and value on demand", () => {
    const builder = new KeyColumnBuilder();
    for (const k of ['a', 'bcd', 7, ['x', 1]]) builder.add(k);
    const column = builder.take();
    const scope = new ElementScope();
    const seen: unknown[] = [];
    for (let i = 0; i < column.length; i++) {
      scope.setRow(column, i);
      const inPlace = Array.from(scope.keyData().subarray(scope.keyStart, scope.keyStart + scope.keyLength));
      seen.push([scope.serial, inPlace, Array.from(scope.keyBytes()), scope.key()]);
    }
    expect(seen).toEqual([
      [1, Array.from(encodeKey('a')), Array.from(encodeKey('a')), 'a'],
      [2, Array.from(encodeKey('bcd')), Array.from(encodeKey('bcd')), 'bcd'],
      [3, Array.from(encodeKey(7)), Array.from(encodeKey(7)), 7],
      [4, Array.from(encodeKey(['x', 1])), Array.from(encodeKey(['x', 1])), ['x', 1]],
    ]);
    // Each row's view is made once: a handle may recognise it by identity.
    expect(scope.keyBytes()).toBe(scope.keyBytes());
  });

  it('changes its serial when the key changes, not when the same bytes are set again', () => {
    const scope = new ElementScope();
    const a = encodeKey('a');
    scope.setKey(a);
    scope.setKey(a);
    const afterA = scope.serial;
    scope.setKey(encodeKey('a'));
    expect([afterA, scope.serial, Array.from(scope.keyBytes())]).toEqual([1, 2, Array.from(a)]);
    expect(scope.keyBytes()).not.toBe(a);
  });

  it('says that keyed state needs a keyed stream when there is no current key', () => {
    const scope = new ElementScope();
    expect(() => scope.keyData()).toThrow('no current key: keyed state and timers need a keyed stream (use keyBy first)');
    scope.setKey(encodeKey(1));
    scope.setKey(null);
    expect(() => scope.keyBytes()).toThrow('no current key');
  });
});
