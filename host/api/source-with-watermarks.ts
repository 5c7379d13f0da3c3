/**
 * What env.fromSource() returns when its watermark strategy adds a Timestamps/Watermarks
 * operator: the stream after that operator, whose name, uid, description and parallelism are
 * the source's. PyFlink's from_source returns the source itself (Flink makes the watermarks in
 * the source); here the strategy's timestamp assigner is a user function, which runs in a worker,
 * so it needs an operator of its own, which takes its input's parallelism. A uid set here then
 * keys the source's position in checkpoints, as the job's author meant.
 */
import type { StreamExecutionEnvironment } from './environment.ts';
import { DataStream } from './data-stream.ts';
import type { Transformation } from '../graph/transformation.ts';

export class SourceWithWatermarks<T> extends DataStream<T> {
  constructor(
    env: StreamExecutionEnvironment,
    watermarks: Transformation,
    private readonly source: DataStream<T>,
  ) {
    super(env, watermarks);
  }

  override getName(): string {
    return this.source.getName();
  }

  override name(name: string): this {
    this.source.name(name);
    return this;
  }

  override uid(uid: string): this {
    this.source.uid(uid);
    return this;
  }

  override setDescription(description: string): this {
    this.source.setDescription(description);
    return this;
  }

  override setParallelism(parallelism: number): this {
    this.source.setParallelism(parallelism);
    return this;
  }

  override forceNonParallel(): this {
    this.source.forceNonParallel();
    return this;
  }
}
