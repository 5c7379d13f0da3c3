/**
 * A task's inputs: one StreamChannel per upstream subtask. The gate merges them as Flink's
 * input gates do:
 *  - watermarks, as Flink's StatusWatermarkValve: the gate's watermark is the minimum over its
 *    aligned active channels (an idle channel no longer holds it back); a watermark element is
 *    returned only when it advances. A channel that resumes after being idle is unaligned while
 *    its watermark is below the gate's, so it does not hold back what was already passed on; it
 *    aligns again once it catches up. When every channel is idle, nothing will advance the
 *    minimum any more: the gate flushes its watermark to the largest of its channels' (watermarks
 *    arriving while all are idle move it on too) and reports itself idle (a status element,
 *    after that watermark), and active again when one resumes. An ended channel is an active,
 *    aligned one at +Infinity, as in Flink, where a source's last watermark is Long.MAX_VALUE
 *    (and marks its output active): it never holds the watermark back, and once no live channel
 *    is active and aligned the watermark goes to +Infinity, the gate staying (or becoming) active;
 *  - barriers: once a barrier arrives on a channel, that channel is not read again until the
 *    same barrier arrived on every channel that has not ended (alignment); then one barrier is
 *    returned. A channel that ends while the others wait releases them (its source ended: it
 *    sends no barrier any more, and all it sent came before the barrier, as Flink's
 *    checkpoints after tasks finished have it);
 *  - end: returned once every channel has ended;
 *  - records: returned as they come, tagged with the input their channel feeds. A two-input
 *    stage (connect()) reads the channels of both its inputs through one gate, and all of the
 *    above is merged over all of them alike, as Flink's two-input operators do: the watermark is
 *    the minimum over both inputs, a barrier is aligned across both, the end is both ended.
 */
import type { StreamChannel } from './stream-channel.ts';
import type { GateElement, InputNumber, StreamElement } from './stream-element.ts';

interface ChannelState {
  channel: StreamChannel;
  /** The input of the task this channel feeds (its edge's). */
  input: InputNumber;
  watermark: number;
  ended: boolean;
  blocked: boolean;
  active: boolean;
  /** Holds the gate's watermark back. False while idle, and after resuming until it caught up. */
  aligned: boolean;
}

export class InputGate {
  private readonly states: ChannelState[];
  private next = 0;
  private watermark = -Infinity;
  private aligning: number | null = null;
  /** A channel ended as an alignment completed: the watermark it held back is looked at next. */
  private watermarkDue = false;
  /** An element to return before reading on: the second of two one change made. */
  private queued: GateElement | null = null;
  private endReturned = false;
  private active = true;
  private waiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private failure: unknown = null;

  /** `inputs`: the input each channel feeds, by index; none given, every channel feeds input 1. */
  constructor(channels: readonly StreamChannel[], inputs: readonly InputNumber[] = []) {
    if (inputs.length !== 0 && inputs.length !== channels.length) {
      throw new Error(`an input gate of ${channels.length} channels was given the inputs of ${inputs.length}`);
    }
    this.states = channels.map((channel, i) => ({
      channel,
      input: inputs[i] ?? 1,
      watermark: -Infinity,
      ended: false,
      blocked: false,
      active: true,
      aligned: true,
    }));
    for (const channel of channels) {
      channel.onAvailable = () => {
        const waiter = this.waiter;
        if (waiter !== null) {
          this.waiter = null;
          waiter.resolve();
        }
      };
    }
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  /** The next element, or null if none is available now. */
  poll(): GateElement | null {
    const n = this.states.length;
    if (n === 0) return this.endOnce();
    const queued = this.queued;
    if (queued !== null) {
      this.queued = null;
      return queued;
    }
    if (this.watermarkDue) {
      this.watermarkDue = false;
      const change = this.watermarkAndStatus();
      if (change !== null) return change;
    }
    for (let visited = 0; visited < n; visited++) {
      const state = this.states[this.next]!;
      this.next = (this.next + 1) % n;
      if (state.ended || state.blocked) continue;
      const element = state.channel.poll();
      if (element === null) continue;
      const out = this.accept(state, element);
      // Round-robin, records included (as Flink's gates read the channels with data in turn): a
      // channel that always has records does not starve the others, a stream connected or
      // united with a busy one included.
      if (out !== null) return out;
      visited = -1; // something changed (a watermark or barrier was absorbed): look at every channel again
    }
    if (this.states.every((s) => s.ended)) return this.endOnce();
    return null;
  }

  private accept(state: ChannelState, element: StreamElement): GateElement | null {
    switch (element.kind) {
      case 'records':
        return { kind: 'records', batch: element.batch, input: state.input };
      case 'watermark':
        state.watermark = Math.max(state.watermark, element.timestamp);
        if (state.active && state.watermark >= this.watermark) state.aligned = true;
        return this.advanceWatermark();
      case 'status': {
        if (element.active === state.active) return null;
        state.active = element.active;
        // Resumed: aligned only if it did not fall behind what the gate already passed on.
        state.aligned = element.active && state.watermark >= this.watermark;
        return this.watermarkAndStatus();
      }
      case 'barrier':
        state.blocked = true;
        this.aligning = element.checkpointId;
        return this.completeAlignment();
      case 'end': {
        state.ended = true;
        state.blocked = false;
        const barrier = this.completeAlignment();
        if (barrier === null) return this.watermarkAndStatus();
        this.watermarkDue = true;
        return barrier;
      }
    }
  }

  /**
   * What a change of a channel's status or end moves on: the watermark and the gate's status.
   * Going idle, the flushed watermark goes first (as Flink's valve); becoming active, the status.
   */
  private watermarkAndStatus(): GateElement | null {
    const watermark = this.advanceWatermark();
    const status = this.statusChange();
    if (watermark === null || status === null) return watermark ?? status;
    const active = status.kind === 'status' && status.active;
    this.queued = active ? watermark : status;
    return active ? status : watermark;
  }

  private advanceWatermark(): GateElement | null {
    // The minimum over the aligned active channels, an ended one counting as one at +Infinity:
    // with one ended, a minimum always exists (+Infinity if no live channel is aligned and
    // active). Without one, no live channel active means every channel is idle: the watermark
    // is flushed to the largest of theirs; some active but none aligned, nothing moves.
    let min = Infinity;
    let max = -Infinity;
    let ended = 0;
    let active = 0;
    let aligned = 0;
    for (const s of this.states) {
      if (s.ended) {
        ended++;
        continue;
      }
      max = Math.max(max, s.watermark);
      if (!s.active) continue;
      active++;
      if (!s.aligned) continue;
      aligned++;
      min = Math.min(min, s.watermark);
    }
    if (ended === 0 && active === 0) min = max;
    else if (ended === 0 && aligned === 0) return null;
    if (min > this.watermark) {
      this.watermark = min;
      return { kind: 'watermark', timestamp: min };
    }
    return null;
  }

  /** A status element when the gate as a whole goes idle or becomes active again (an ended channel is active). */
  private statusChange(): GateElement | null {
    const active = this.states.some((s) => s.ended || s.active);
    if (active === this.active) return null;
    this.active = active;
    return { kind: 'status', active };
  }

  private completeAlignment(): GateElement | null {
    if (this.aligning === null) return null;
    if (this.states.some((s) => !s.ended && !s.blocked)) return null;
    const checkpointId = this.aligning;
    this.aligning = null;
    for (const s of this.states) s.blocked = false;
    return { kind: 'barrier', checkpointId };
  }

  private endOnce(): GateElement | null {
    if (this.endReturned) return null;
    this.endReturned = true;
    return { kind: 'end' };
  }

  /** Resolves when poll() may return something new. */
  available(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.queued !== null) return Promise.resolve();
    if (this.states.some((s) => !s.ended && !s.blocked && !s.channel.isEmpty)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  abort(reason: unknown): void {
    this.failure = reason;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(reason);
  }
}
