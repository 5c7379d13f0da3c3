import { Time } from './time.ts';

export const UpdateType = {
  /** The last-access time is set when the state is created or written. */
  OnCreateAndWrite: 'OnCreateAndWrite',
  /** ... and also when it is read. */
  OnReadAndWrite: 'OnReadAndWrite',
} as const;
export type UpdateType = (typeof UpdateType)[keyof typeof UpdateType];

export const StateVisibility = {
  NeverReturnExpired: 'NeverReturnExpired',
  ReturnExpiredIfNotCleanedUp: 'ReturnExpiredIfNotCleanedUp',
} as const;
export type StateVisibility = (typeof StateVisibility)[keyof typeof StateVisibility];

/** Time-to-live of keyed state, as PyFlink's StateTtlConfig. Expiry uses processing time. */
export class StateTtlConfig {
  static readonly UpdateType = UpdateType;
  static readonly StateVisibility = StateVisibility;

  constructor(
    readonly ttlMs: number,
    readonly updateType: UpdateType,
    readonly visibility: StateVisibility,
  ) {}

  static newBuilder(ttl: Time | number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttl instanceof Time ? ttl.toMilliseconds() : ttl);
  }
}

export class StateTtlConfigBuilder {
  private updateType: UpdateType = UpdateType.OnCreateAndWrite;
  private visibility: StateVisibility = StateVisibility.NeverReturnExpired;

  constructor(private readonly ttlMs: number) {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`state TTL must be a positive duration, got ${ttlMs}`);
  }

  setUpdateType(updateType: UpdateType): this {
    if (!Object.values(UpdateType).includes(updateType)) throw new RangeError(`unknown TTL update type ${String(updateType)}`);
    this.updateType = updateType;
    return this;
  }

  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType(UpdateType.OnCreateAndWrite);
  }

  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType(UpdateType.OnReadAndWrite);
  }

  setStateVisibility(visibility: StateVisibility): this {
    if (!Object.values(StateVisibility).includes(visibility)) {
      throw new RangeError(`unknown TTL state visibility ${String(visibility)}`);
    }
    this.visibility = visibility;
    return this;
  }

  neverReturnExpired(): this {
    return this.setStateVisibility(StateVisibility.NeverReturnExpired);
  }

  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp);
  }

  build(): StateTtlConfig {
    return new StateTtlConfig(this.ttlMs, this.updateType, this.visibility);
  }
}
