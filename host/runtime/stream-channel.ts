/**
 * A bounded queue between two host tasks (one producer subtask, one consumer subtask). It is
 * how backpressure travels: put() resolves at once while the queue holds fewer rows than its
 * capacity, otherwise only once the consumer has drained it below that, so a slow worker
 * stalls its upstream instead of growing the host's memory.
 */
import type { StreamElement } from './stream-element.ts';

export class StreamChannel {
  private queue: StreamElement[] = [];
  private head = 0;
  private rows = 0;
  private spaceWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private failure: unknown = null;
  /** Called when an element arrives; the consumer's gate wakes on it. */
  onAvailable: () => void = () => {};

  constructor(readonly capacityRows: number) {}

  /** Enqueues; returns a promise when the queue is over capacity (await it before the next put). */
  put(element: StreamElement): void | Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    this.queue.push(element);
    if (element.kind === 'records') this.rows += element.batch.length;
    this.onAvailable();
    if (this.rows < this.capacityRows) return undefined;
    return new Promise<void>((resolve, reject) => this.spaceWaiters.push({ resolve, reject }));
  }

  poll(): StreamElement | null {
    if (this.head >= this.queue.length) return null;
    const element = this.queue[this.head]!;
    this.queue[this.head] = undefined as unknown as StreamElement;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (element.kind === 'records') {
      this.rows -= element.batch.length;
      if (this.rows < this.capacityRows && this.spaceWaiters.length > 0) {
        const waiters = this.spaceWaiters;
        this.spaceWaiters = [];
        for (const w of waiters) w.resolve();
      }
    }
    return element;
  }

  get isEmpty(): boolean {
    return this.head >= this.queue.length;
  }

  get bufferedRows(): number {
    return this.rows;
  }

  /** Fails pending and future puts (the job is being torn down). */
  abort(reason: unknown): void {
    this.failure = reason;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w.reject(reason);
  }
}
