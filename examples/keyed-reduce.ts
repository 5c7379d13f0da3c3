/**
 * A keyed reduce with function classes: per sensor, the running maximum of its readings.
 * The reduce keeps its running value in keyed state, which the host owns.
 *
 *   npx sluice run examples/keyed-reduce.ts
 */
import { KeySelector, MapFunction, ReduceFunction, StreamExecutionEnvironment, Types, type RuntimeContext } from 'sluice';

type Reading = [sensor: string, celsius: number];

class ParseReading extends MapFunction<string, Reading> {
  map(line: string): Reading {
    const [sensor, value] = line.split('=');
    return [sensor!.trim(), Number(value)];
  }
}

class BySensor extends KeySelector<Reading, string> {
  getKey(reading: Reading): string {
    return reading[0];
  }
}

class Hottest extends ReduceFunction<Reading> {
  private subtask = -1;
  override open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
    console.log(`Hottest opened in subtask ${this.subtask}`);
  }
  reduce(a: Reading, b: Reading): Reading {
    return b[1] > a[1] ? b : a;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .fromCollection(['kitchen=21.5', 'garage=12', 'kitchen=23.25', 'garage=11', 'attic=30', 'kitchen=22'])
  .map(new ParseReading(), Types.TUPLE([Types.STRING(), Types.DOUBLE()]))
  .keyBy(new BySensor())
  .reduce(new Hottest())
  .name('Hottest per sensor')
  .print();

const result = await env.execute('hottest per sensor');
const op = result.operator('Hottest per sensor');
console.log(`${op.recordsIn} readings in, ${op.recordsOut} updates out, in ${result.netRuntimeMs} ms`);
