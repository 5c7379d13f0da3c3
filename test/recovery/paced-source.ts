import { SourceFunction } from '../../host/index.ts';

/** 0..n-1, pausing `pauseMs` every `every` records so that checkpoints happen while it runs. */
export class Paced extends SourceFunction<number> {
  private next = 0;
  constructor(
    private readonly n: number,
    private readonly every = 100,
    private readonly pauseMs = 5,
  ) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    while (this.next < this.n) {
      if (this.next % this.every === 0) await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      yield this.next++;
    }
  }
  override snapshotState(): number {
    return this.next;
  }
  override restoreState(state: unknown): void {
    this.next = typeof state === 'number' ? state : 0;
  }
}
