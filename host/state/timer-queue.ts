/**
 * The timers of one timer state (one operator, one time domain) in one key group: a binary
 * min-heap ordered by (timestamp, registration sequence) plus an index by identity, so that
 * registering is deduplicated and deleting is O(log n) without leaving tombstones in the heap.
 *
 * Invariant: every timer in `heap` is in `byId` under its id and `heap[timer.index] === timer`.
 */

export interface Timer {
  /** Record key (key + namespace, see byte-keys.ts). */
  readonly recordKey: string;
  readonly timestamp: number;
  /** Registration order; breaks ties between equal timestamps. */
  readonly seq: number;
  index: number;
}

function timerId(recordKey: string, timestamp: number): string {
  // A number's string form never contains '|', so the first '|' ends it.
  return `${timestamp}|${recordKey}`;
}

function before(a: Timer, b: Timer): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
}

export function compareTimers(a: Timer, b: Timer): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

export class TimerQueue {
  private readonly heap: Timer[] = [];
  private readonly byId = new Map<string, Timer>();

  get size(): number {
    return this.heap.length;
  }

  /** Registers a timer; false if the same (record key, timestamp) is already registered. */
  add(recordKey: string, timestamp: number, seq: number): boolean {
    const id = timerId(recordKey, timestamp);
    if (this.byId.has(id)) return false;
    const timer: Timer = { recordKey, timestamp, seq, index: this.heap.length };
    this.byId.set(id, timer);
    this.heap.push(timer);
    this.siftUp(timer.index);
    return true;
  }

  /** Deletes a timer; false if there was none. */
  remove(recordKey: string, timestamp: number): boolean {
    const id = timerId(recordKey, timestamp);
    const timer = this.byId.get(id);
    if (timer === undefined) return false;
    this.byId.delete(id);
    this.removeAt(timer.index);
    return true;
  }

  peek(): Timer | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest timer. */
  pop(): Timer | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.byId.delete(timerId(top.recordKey, top.timestamp));
    this.removeAt(0);
    return top;
  }

  /** Every timer, ordered by (timestamp, seq); the queue is unchanged. */
  ordered(): Timer[] {
    return this.heap.slice().sort(compareTimers);
  }

  private removeAt(index: number): void {
    const last = this.heap.pop()!;
    if (index === this.heap.length) return;
    this.heap[index] = last;
    last.index = index;
    this.siftDown(index);
    this.siftUp(last.index);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const timer = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(timer, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = timer;
    timer.index = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const n = heap.length;
    const timer = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      const smallest = heap[child]!;
      if (!before(smallest, timer)) break;
      heap[index] = smallest;
      smallest.index = index;
      index = child;
    }
    heap[index] = timer;
    timer.index = index;
  }
}
