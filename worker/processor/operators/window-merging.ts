/**
 * Session windows merge: a new element's window that overlaps or touches windows of its key
 * joins them into one. As in Flink's MergingWindowSet, each window of a key maps to a state
 * window, the namespace its contents are kept in: a merged window keeps the state window of
 * one of the windows it absorbed, and the others' contents are merged into it, so that a merge
 * moves the contents of the smaller part only, not of the whole session.
 *
 * Invariant: the windows of a set neither overlap nor touch (they would have merged), so each
 * has its own end, and so its own maxTimestamp.
 */
import { TimeWindow } from '../../../shared/api/windows.ts';

/**
 * Told of each merge: `result` replaces `merged` (the windows it absorbed, the new one left
 * out), its contents kept in `stateResult`, into which those of `mergedStates` must now go.
 */
export type MergeCallback = (result: TimeWindow, merged: TimeWindow[], stateResult: TimeWindow, mergedStates: TimeWindow[]) => void;

/** The windows among `windows` that overlap or touch, joined: each cover with the windows it joins (two or more). */
export function mergeWindows(windows: readonly TimeWindow[]): Array<{ cover: TimeWindow; windows: TimeWindow[] }> {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const groups: Array<{ cover: TimeWindow; windows: TimeWindow[] }> = [];
  let current: { cover: TimeWindow; windows: TimeWindow[] } | null = null;
  for (const w of sorted) {
    if (current !== null && current.cover.intersects(w)) {
      current.cover = current.cover.cover(w);
      current.windows.push(w);
    } else {
      if (current !== null) groups.push(current);
      current = { cover: w, windows: [w] };
    }
  }
  if (current !== null) groups.push(current);
  return groups.filter((g) => g.windows.length > 1);
}

export class MergingWindowSet {
  /** Window → state window, by the window's key(). */
  private readonly mapping = new Map<string, { window: TimeWindow; state: TimeWindow }>();
  /** Whether it changed since it was read, and must be stored again. */
  changed = false;

  /** The set as a key's state holds it: [start, end, stateStart, stateEnd] per window (null: none). */
  static fromState(flat: readonly number[] | null): MergingWindowSet {
    const set = new MergingWindowSet();
    if (flat !== null) {
      for (let i = 0; i + 3 < flat.length; i += 4) {
        const window = new TimeWindow(flat[i]!, flat[i + 1]!);
        set.mapping.set(keyOf(window), { window, state: new TimeWindow(flat[i + 2]!, flat[i + 3]!) });
      }
    }
    return set;
  }

  toState(): number[] {
    const flat: number[] = [];
    for (const { window, state } of this.mapping.values()) flat.push(window.start, window.end, state.start, state.end);
    return flat;
  }

  get size(): number {
    return this.mapping.size;
  }

  /** The windows, with their state windows, in the order of their starts. */
  entries(): Array<{ window: TimeWindow; state: TimeWindow }> {
    return [...this.mapping.values()].sort((a, b) => a.window.start - b.window.start);
  }

  stateWindowOf(window: TimeWindow): TimeWindow | null {
    return this.mapping.get(keyOf(window))?.state ?? null;
  }

  /** The window is gone (purged, or too late to keep). */
  retire(window: TimeWindow): void {
    if (!this.mapping.delete(keyOf(window))) throw new Error(`window ${window.toString()} is not in the merging window set`);
    this.changed = true;
  }

  /**
   * Adds `window`, merging it with the windows it overlaps or touches: returns the window it
   * ended up in (itself, or the merge result holding it). `onMerge` is called for each merge,
   * after the set has taken it.
   */
  add(window: TimeWindow, onMerge: MergeCallback): TimeWindow {
    this.changed = true;
    const all = [...[...this.mapping.values()].map((e) => e.window), window];
    let result = window;
    let newWindowMerged = false;
    const merges: Array<Parameters<MergeCallback>> = [];
    for (const group of mergeWindows(all)) {
      const at = group.windows.findIndex((w) => w.equals(window));
      const merged = group.windows.filter((_, i) => i !== at);
      if (at >= 0) {
        newWindowMerged = true;
        result = group.cover;
      }
      // The state window of one of the windows absorbed (never the new window's: it has none).
      const stateResult = this.mapping.get(keyOf(merged[0]!))!.state;
      const mergedStates: TimeWindow[] = [];
      for (const w of merged) {
        const entry = this.mapping.get(keyOf(w));
        this.mapping.delete(keyOf(w));
        if (entry !== undefined && !entry.state.equals(stateResult)) mergedStates.push(entry.state);
      }
      this.mapping.set(keyOf(group.cover), { window: group.cover, state: stateResult });
      // A window that only absorbed the new one without growing has nothing to merge.
      if (!(merged.length === 1 && merged[0]!.equals(group.cover))) merges.push([group.cover, merged, stateResult, mergedStates]);
    }
    if (!newWindowMerged && !this.mapping.has(keyOf(window))) this.mapping.set(keyOf(window), { window, state: window });
    for (const m of merges) onMerge(...m);
    return result;
  }
}

function keyOf(w: TimeWindow): string {
  return `${w.start},${w.end}`;
}
