/**
 * partitionCustom(): the key selector computes a record's key, the partitioner the partition
 * (0 to numPartitions - 1) that key goes to; the partition travels beside the value as the
 * row's key, and the host hands the row to that instance of the next operator. A partition out
 * of range fails the partitioner (or follows its failure policy) with the record.
 */
import { activity } from '../../activity.ts';
import type { Pushed } from '../downstream.ts';
import { isPromiseLike, type FunctionIdentity } from '../failure.ts';
import type { OutputBuffer } from '../output-buffer.ts';
import { callableOf, ChainOperator, type OperatorSetup } from './base.ts';

export class PartitionCustomOperator extends ChainOperator {
  private readonly partition: (key: unknown, numPartitions: number) => unknown;
  private readonly getKey: (value: unknown) => unknown;

  constructor(
    setup: OperatorSetup,
    partitioner: unknown,
    keySelector: unknown,
    private readonly keySelectorWho: FunctionIdentity,
    private readonly numPartitions: number,
    private readonly output: OutputBuffer,
  ) {
    super(setup);
    this.partition = callableOf(partitioner, 'partition', 'partitioner');
    this.getKey = callableOf(keySelector, 'getKey', 'key selector');
  }

  push(value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    let key: unknown;
    try {
      key = this.getKey(value);
    } catch (thrown) {
      return this.failed(thrown, value, this.keySelectorWho);
    }
    if (!isPromiseLike(key)) return this.choose(value, timestamp, key);
    return Promise.resolve(key).then(
      (k) => this.choose(value, timestamp, k),
      (thrown: unknown) => this.failed(thrown, value, this.keySelectorWho),
    );
  }

  private choose(value: unknown, timestamp: number | null, key: unknown): Pushed {
    let partition: unknown;
    try {
      partition = this.partition(key, this.numPartitions);
      if (!isPromiseLike(partition)) {
        this.output.pushKeyed(value, timestamp, this.checked(partition));
        return undefined;
      }
    } catch (thrown) {
      return this.failed(thrown, value);
    }
    return Promise.resolve(partition)
      .then((p) => this.output.pushKeyed(value, timestamp, this.checked(p)))
      .then(undefined, (thrown: unknown) => this.failed(thrown, value));
  }

  private checked(partition: unknown): number {
    if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition >= this.numPartitions) {
      const shown = typeof partition === 'string' ? `'${partition}'` : String(partition);
      throw new RangeError(`a partitioner must return an integer from 0 to ${this.numPartitions - 1} (numPartitions ${this.numPartitions}), got ${shown}`);
    }
    return partition;
  }
}
