import { MapFunction, type RuntimeContext } from '../../host/index.ts';

/** Passes records on; fails on record `failAt` (null: never), in the job's first attempt only. */
export class FailsOnce extends MapFunction<number, number> {
  private attempt = -1;
  constructor(private readonly failAt: number | null) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.attempt = ctx.getAttemptNumber();
  }
  map(x: number): number {
    if (this.attempt === 0 && x === this.failAt) throw new Error(`failing once at ${x}`);
    return x;
  }
}
