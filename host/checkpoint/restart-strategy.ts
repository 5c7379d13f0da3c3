/**
 * Restart strategies as Flink names them (restart-strategy.* keys):
 *   none          a failure fails the job;
 *   fixed-delay   up to `attempts` restarts, `delay` apart;
 *   failure-rate  restarts while at most `max-failures-per-interval` failures fall within
 *                 `failure-rate-interval`, `delay` apart.
 * When checkpointing is on and no strategy is set, Flink's default applies: fixed-delay with
 * unlimited attempts, 1 s apart.
 */
import type { Configuration } from '../../shared/config/configuration.ts';

export interface RestartDecision {
  restart: boolean;
  delayMs: number;
  /** Why not, when restart is false. */
  reason: string;
}

export interface RestartStrategy {
  readonly description: string;
  /** Asked once per failure, in order. */
  onFailure(now: number): RestartDecision;
}

/** `checkpointing`: whether the job takes checkpoints (a BATCH job does not, whatever its interval). */
export function restartStrategyFrom(config: Configuration, checkpointing = config.get('execution.checkpointing.interval') > 0): RestartStrategy {
  const type = config.has('restart-strategy.type') ? config.get('restart-strategy.type') : checkpointing ? 'fixed-delay' : 'none';
  switch (type) {
    case 'none':
      return {
        description: 'none',
        onFailure: () => ({ restart: false, delayMs: 0, reason: 'the restart strategy is none' }),
      };
    case 'fixed-delay': {
      const attempts = config.has('restart-strategy.type') ? config.get('restart-strategy.fixed-delay.attempts') : Number.MAX_SAFE_INTEGER;
      const delayMs = config.get('restart-strategy.fixed-delay.delay');
      let used = 0;
      return {
        description: `fixed-delay (${attempts === Number.MAX_SAFE_INTEGER ? 'unlimited' : attempts} attempts, ${delayMs} ms apart)`,
        onFailure: () => {
          if (used >= attempts) return { restart: false, delayMs: 0, reason: `all ${attempts} restart attempts are used` };
          used++;
          return { restart: true, delayMs, reason: '' };
        },
      };
    }
    case 'failure-rate': {
      const max = config.get('restart-strategy.failure-rate.max-failures-per-interval');
      const interval = config.get('restart-strategy.failure-rate.failure-rate-interval');
      const delayMs = config.get('restart-strategy.failure-rate.delay');
      const failures: number[] = [];
      return {
        description: `failure-rate (${max} failures per ${interval} ms, ${delayMs} ms apart)`,
        onFailure: (now) => {
          failures.push(now);
          while (failures.length > 0 && failures[0]! <= now - interval) failures.shift();
          if (failures.length > max) {
            return { restart: false, delayMs: 0, reason: `${failures.length} failures within ${interval} ms exceed the allowed ${max}` };
          }
          return { restart: true, delayMs, reason: '' };
        },
      };
    }
  }
}
