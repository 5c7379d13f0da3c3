import { describe, expect, it } from 'vitest';
import { keyGroupOf, keyGroupOfRange, keyGroupRangeFor, subtaskForKeyGroup } from '../host/state/key-groups.ts';
import { murmur3x86_32, murmur3x86_32Range } from '../host/state/murmur3.ts';
import { b } from './host-state-fixtures.ts';

describe('murmur3 x86 32-bit', () => {
  it('matches the reference test vectors', () => {
    expect(murmur3x86_32(b(''), 0)).toBe(0);
    expect(murmur3x86_32(b(''), 1)).toBe(0x514e28b7);
    expect(murmur3x86_32(b(''), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3x86_32(new Uint8Array(4), 0)).toBe(0x2362f9de);
    expect(murmur3x86_32(b('a'), 0x9747b28c)).toBe(0x7fa09ea6);
    expect(murmur3x86_32(b('abc'), 0x9747b28c)).toBe(0xc84a62dd);
    expect(murmur3x86_32(b('aaaa'), 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3x86_32(b('test'), 0)).toBe(0xba6bd213);
    expect(murmur3x86_32(b('hello'), 0)).toBe(0x248bfa47);
    expect(murmur3x86_32(b('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3x86_32(b('Hello, world!'), 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3x86_32(b('The quick brown fox jumps over the lazy dog'), 0)).toBe(0x2e4ff723);
    expect(murmur3x86_32(b('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes a view by its own bytes, not its buffer', () => {
    const big = b('xxhelloyy');
    expect(murmur3x86_32(big.subarray(2, 7), 0)).toBe(0x248bfa47);
  });

  it('hashes a range of a buffer as the same bytes alone, for every tail length', () => {
    const big = b('__The quick brown fox jumps over the lazy dog__');
    expect(murmur3x86_32Range(big, 2, big.length - 2, 0x9747b28c)).toBe(0x2fa826cd);
    expect(murmur3x86_32Range(big, 0, 0)).toBe(0);
    for (let end = 3; end <= 9; end++) {
      expect(murmur3x86_32Range(big, 3, end)).toBe(murmur3x86_32(big.slice(3, end)));
      expect(keyGroupOfRange(big, 3, end, 128)).toBe(keyGroupOf(big.slice(3, end), 128));
    }
  });
});

describe('keyGroupOf', () => {
  it('is the unsigned hash modulo max parallelism', () => {
    expect(keyGroupOf(b('hello'), 128)).toBe(71);
    expect(keyGroupOf(b('The quick brown fox jumps over the lazy dog'), 128)).toBe(35);
    // 0xba6bd213 has its top bit set: as a signed int it would give a negative group.
    expect(keyGroupOf(b('test'), 1000)).toBe(307);
    expect(keyGroupOf(b(''), 7)).toBe(0);
  });

  it('spreads keys over every key group', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(keyGroupOf(b(`key-${i}`), 128));
    expect(seen.size).toBe(128);
  });
});

describe('key-group ranges', () => {
  it("follows Flink's formulas on a known case", () => {
    expect([0, 1, 2].map((i) => keyGroupRangeFor(i, 3, 128))).toEqual([
      { start: 0, end: 42 },
      { start: 43, end: 85 },
      { start: 86, end: 127 },
    ]);
    expect(subtaskForKeyGroup(42, 128, 3)).toBe(0);
    expect(subtaskForKeyGroup(43, 128, 3)).toBe(1);
    expect(subtaskForKeyGroup(127, 128, 3)).toBe(2);
    expect(keyGroupRangeFor(0, 1, 1)).toEqual({ start: 0, end: 0 });
  });

  it('are contiguous, non-empty, cover every key group, and agree with subtaskForKeyGroup', () => {
    const cases: Array<[number, number[]]> = [
      [1, [1]],
      [7, [1, 2, 3, 4, 5, 6, 7]],
      [128, [1, 2, 3, 5, 7, 8, 13, 31, 64, 100, 127, 128]],
      [1000, [1, 3, 7, 999, 1000]],
      [32768, [1, 3, 24, 1000, 32767, 32768]],
    ];
    const violations: string[] = [];
    for (const [maxParallelism, parallelisms] of cases) {
      for (const parallelism of parallelisms) {
        let expectedStart = 0;
        for (let subtask = 0; subtask < parallelism; subtask++) {
          const range = keyGroupRangeFor(subtask, parallelism, maxParallelism);
          if (
            range.start !== expectedStart ||
            range.end < range.start ||
            subtaskForKeyGroup(range.start, maxParallelism, parallelism) !== subtask ||
            subtaskForKeyGroup(range.end, maxParallelism, parallelism) !== subtask
          ) {
            violations.push(`max ${maxParallelism}, parallelism ${parallelism}, subtask ${subtask}: ${JSON.stringify(range)}`);
          }
          expectedStart = range.end + 1;
        }
        if (expectedStart !== maxParallelism) violations.push(`max ${maxParallelism}, parallelism ${parallelism}: ends at ${expectedStart}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('maps every key group into the range of its subtask (exhaustive for 128)', () => {
    const violations: string[] = [];
    for (let parallelism = 1; parallelism <= 128; parallelism++) {
      for (let keyGroup = 0; keyGroup < 128; keyGroup++) {
        const subtask = subtaskForKeyGroup(keyGroup, 128, parallelism);
        const range = keyGroupRangeFor(subtask, parallelism, 128);
        if (keyGroup < range.start || keyGroup > range.end) violations.push(`parallelism ${parallelism}, key group ${keyGroup}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('refuses impossible arguments, naming them', () => {
    expect(() => keyGroupRangeFor(0, 0, 128)).toThrow('parallelism must be an integer in [1, 128] (the max parallelism), got 0');
    expect(() => keyGroupRangeFor(0, 129, 128)).toThrow('parallelism must be an integer in [1, 128] (the max parallelism), got 129');
    expect(() => keyGroupRangeFor(3, 3, 128)).toThrow('subtask index must be an integer in [0, 2], got 3');
    expect(() => subtaskForKeyGroup(128, 128, 2)).toThrow('key group must be an integer in [0, 127], got 128');
    expect(() => keyGroupRangeFor(0, 1, 32769)).toThrow('max parallelism must be an integer in [1, 32768], got 32769');
  });
});
