/**
 * A task's inputs: one StreamChannel per upstream subtask. The gate merges them as Flink's
 * input gates do:
 *  - watermarks: the gate's watermark is the minimum over its channels (an ended or idle
 *    channel no longer holds it back); a watermark element is returned only when that minimum
 *    advances; when every live channel is idle, the gate reports itself idle (a status element),
 *    and active again when one resumes;
 *  - barriers: once a barrier arrives on a channel, that channel is not read again until the
 *    same barrier arrived on every channel that has not ended (alignment); then one barrier is
 *    returned. A channel that ends while the others wait releases them (its source ended: it
 *    sends no barrier any more, and all it sent came before the barrier, as Flink's
 *    checkpoints after tasks finished have it);
 *  - end: returned once every channel has ended.
 */
import type { StreamChannel } from './stream-channel.ts';
import type { StreamElement } from './stream-element.ts';

interface ChannelState {
  channel: StreamChannel;
  watermark: number;
  ended: boolean;
  blocked: boolean;
  active: boolean;
}

export class InputGate {
  private readonly states: ChannelState[];
  private next = 0;
  private watermark = -Infinity;
  private aligning: number | null = null;
  /** A channel ended as an alignment completed: the watermark it held back is looked at next. */
  private watermarkDue = false;
  private endReturned = false;
  private active = true;
  private waiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private failure: unknown = null;

  constructor(channels: StreamChannel[]) {
    this.states = channels.map((channel) => ({ channel, watermark: -Infinity, ended: false, blocked: false, active: true }));
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
  poll(): StreamElement | null {
    const n = this.states.length;
    if (n === 0) return this.endOnce();
    if (this.watermarkDue) {
      this.watermarkDue = false;
      const watermark = this.advanceWatermark();
      if (watermark !== null) return watermark;
    }
    for (let visited = 0; visited < n; visited++) {
      const state = this.states[this.next]!;
      this.next = (this.next + 1) % n;
      if (state.ended || state.blocked) continue;
      const element = state.channel.poll();
      if (element === null) continue;
      const out = this.accept(state, element);
      if (out !== null) {
        // Stay on a channel that delivered records, so batches are not split needlessly.
        if (out.kind === 'records') this.next = (this.next + n - 1) % n;
        return out;
      }
      visited = -1; // something changed (a watermark or barrier was absorbed): look at every channel again
    }
    if (this.states.every((s) => s.ended)) return this.endOnce();
    return null;
  }

  private accept(state: ChannelState, element: StreamElement): StreamElement | null {
    switch (element.kind) {
      case 'records':
        return element;
      case 'watermark':
        state.watermark = Math.max(state.watermark, element.timestamp);
        return this.advanceWatermark();
      case 'status':
        state.active = element.active;
        return this.statusChange() ?? this.advanceWatermark();
      case 'barrier':
        state.blocked = true;
        this.aligning = element.checkpointId;
        return this.completeAlignment();
      case 'end': {
        state.ended = true;
        state.blocked = false;
        const barrier = this.completeAlignment();
        if (barrier === null) return this.advanceWatermark();
        this.watermarkDue = true;
        return barrier;
      }
    }
  }

  private advanceWatermark(): StreamElement | null {
    let min = Infinity;
    // An ended channel holds nothing back; once all have ended the watermark is +Infinity.
    // Idle channels hold nothing back either, unless all live channels are idle.
    let live = 0;
    for (const s of this.states) {
      if (s.ended || !s.active) continue;
      live++;
      min = Math.min(min, s.watermark);
    }
    if (live === 0 && this.states.some((s) => !s.ended)) return null;
    if (min > this.watermark) {
      this.watermark = min;
      return { kind: 'watermark', timestamp: min };
    }
    return null;
  }

  /** A status element when the gate as a whole goes idle or becomes active again. */
  private statusChange(): StreamElement | null {
    const active = this.states.some((s) => !s.ended && s.active);
    if (active === this.active) return null;
    this.active = active;
    return { kind: 'status', active };
  }

  private completeAlignment(): StreamElement | null {
    if (this.aligning === null) return null;
    if (this.states.some((s) => !s.ended && !s.blocked)) return null;
    const checkpointId = this.aligning;
    this.aligning = null;
    for (const s of this.states) s.blocked = false;
    return { kind: 'barrier', checkpointId };
  }

  private endOnce(): StreamElement | null {
    if (this.endReturned) return null;
    this.endReturned = true;
    return { kind: 'end' };
  }

  /** Resolves when poll() may return something new. */
  available(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
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
