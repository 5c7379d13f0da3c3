/** Session windows: how a key's windows merge (MergingWindowSet), and which state window keeps the contents. */
import { describe, expect, it } from 'vitest';
import { TimeWindow } from '../shared/api/windows.ts';
import { MergingWindowSet, mergeWindows, type MergeCallback } from '../worker/processor/operators/window-merging.ts';

const w = (start: number, end: number): TimeWindow => new TimeWindow(start, end);
const b = (x: TimeWindow): [number, number] => [x.start, x.end];

/** Records each merge as plain bounds. */
function recorder(): { merges: unknown[]; onMerge: MergeCallback } {
  const merges: unknown[] = [];
  return {
    merges,
    onMerge: (result, merged, stateResult, mergedStates) =>
      merges.push({ result: b(result), merged: merged.map(b), state: b(stateResult), mergedStates: mergedStates.map(b) }),
  };
}

describe('mergeWindows', () => {
  it('joins windows that overlap or touch, and reports only groups of two or more', () => {
    const groups = mergeWindows([w(20, 30), w(0, 10), w(10, 15), w(40, 50), w(45, 60), w(100, 110)]);
    expect(groups.map((g) => ({ cover: b(g.cover), windows: g.windows.map(b) }))).toEqual([
      { cover: [0, 15], windows: [[0, 10], [10, 15]] },
      { cover: [40, 60], windows: [[40, 50], [45, 60]] },
    ]);
  });
});

describe('MergingWindowSet', () => {
  it('two sessions, then a bridging window that merges them into the first one’s state window', () => {
    const set = new MergingWindowSet();
    const { merges, onMerge } = recorder();
    expect(b(set.add(w(0, 10), onMerge))).toEqual([0, 10]);
    expect(b(set.add(w(30, 40), onMerge))).toEqual([30, 40]);
    expect(merges).toEqual([]);
    expect(b(set.add(w(5, 15), onMerge))).toEqual([0, 15]);
    expect(merges).toEqual([{ result: [0, 15], merged: [[0, 10]], state: [0, 10], mergedStates: [] }]);
    expect(b(set.add(w(12, 32), onMerge))).toEqual([0, 40]);
    expect(merges[1]).toEqual({ result: [0, 40], merged: [[0, 15], [30, 40]], state: [0, 10], mergedStates: [[30, 40]] });
    expect(set.entries().map((e) => [b(e.window), b(e.state)])).toEqual([[[0, 40], [0, 10]]]);
  });

  it('a window inside an existing one adds nothing and merges nothing', () => {
    const set = new MergingWindowSet();
    const { merges, onMerge } = recorder();
    set.add(w(0, 20), onMerge);
    expect(b(set.add(w(5, 15), onMerge))).toEqual([0, 20]);
    expect(b(set.add(w(0, 20), onMerge))).toEqual([0, 20]);
    expect(merges).toEqual([]);
    expect(set.entries().map((e) => [b(e.window), b(e.state)])).toEqual([[[0, 20], [0, 20]]]);
  });

  it('round-trips through its state form; retire() removes a window', () => {
    const set = new MergingWindowSet();
    const { onMerge } = recorder();
    set.add(w(0, 10), onMerge);
    set.add(w(8, 20), onMerge);
    set.add(w(50, 60), onMerge);
    const again = MergingWindowSet.fromState(set.toState());
    expect(again.entries().map((e) => [b(e.window), b(e.state)])).toEqual([
      [[0, 20], [0, 10]],
      [[50, 60], [50, 60]],
    ]);
    expect(b(again.stateWindowOf(w(0, 20))!)).toEqual([0, 10]);
    again.retire(w(0, 20));
    expect(again.stateWindowOf(w(0, 20))).toBe(null);
    expect(again.size).toBe(1);
    expect(() => again.retire(w(0, 20))).toThrow('not in the merging window set');
  });
});
