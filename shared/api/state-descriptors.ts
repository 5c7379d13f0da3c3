/** Descriptors name a keyed state and its types, as in PyFlink. */
import type { AggregateFunction, ReduceLike } from './functions.ts';
import { StateTtlConfig } from './ttl.ts';
import { TypeInformation, Types } from './types.ts';

export type StateKindName = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

export abstract class StateDescriptor {
  abstract readonly kind: StateKindName;
  ttlConfig: StateTtlConfig | null = null;

  constructor(readonly name: string) {
    if (typeof name !== 'string' || name === '') throw new TypeError('a state descriptor needs a non-empty name');
  }

  enableTimeToLive(ttlConfig: StateTtlConfig): this {
    if (!(ttlConfig instanceof StateTtlConfig)) throw new TypeError('enableTimeToLive takes a StateTtlConfig');
    this.ttlConfig = ttlConfig;
    return this;
  }
}

export class ValueStateDescriptor<T = unknown> extends StateDescriptor {
  readonly kind = 'value';
  constructor(
    name: string,
    readonly valueType: TypeInformation<T> = Types.GENERIC() as TypeInformation<T>,
  ) {
    super(name);
  }
}

export class ListStateDescriptor<T = unknown> extends StateDescriptor {
  readonly kind = 'list';
  constructor(
    name: string,
    readonly elementType: TypeInformation<T> = Types.GENERIC() as TypeInformation<T>,
  ) {
    super(name);
  }
}

export class MapStateDescriptor<K = unknown, V = unknown> extends StateDescriptor {
  readonly kind = 'map';
  constructor(
    name: string,
    readonly keyType: TypeInformation<K> = Types.GENERIC() as TypeInformation<K>,
    readonly valueType: TypeInformation<V> = Types.GENERIC() as TypeInformation<V>,
  ) {
    super(name);
  }
}

export class ReducingStateDescriptor<T = unknown> extends StateDescriptor {
  readonly kind = 'reducing';
  constructor(
    name: string,
    readonly reduceFunction: ReduceLike<T>,
    readonly valueType: TypeInformation<T> = Types.GENERIC() as TypeInformation<T>,
  ) {
    super(name);
  }
}

export class AggregatingStateDescriptor<IN = unknown, ACC = unknown, OUT = unknown> extends StateDescriptor {
  readonly kind = 'aggregating';
  constructor(
    name: string,
    readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>,
    readonly accumulatorType: TypeInformation<ACC> = Types.GENERIC() as TypeInformation<ACC>,
  ) {
    super(name);
  }
}
