/** The tail of a worker's output kept for its failure report: the last lines, each bounded. */
import { describe, expect, it } from 'vitest';
import { OutputTail } from '../host/workers/output-tail.ts';

describe('OutputTail', () => {
  it('keeps the last lines, across chunks that split lines anywhere', () => {
    const tail = new OutputTail({ maxLines: 3 });
    expect(tail.push('one\ntw')).toEqual(['one']);
    expect(tail.push('o\nthree\nfour\nfi')).toEqual(['two', 'three', 'four']);
    expect(tail.text()).toBe('three\nfour\nfi');
    expect(tail.push('ve\n')).toEqual(['five']);
    expect(tail.text()).toBe('three\nfour\nfive');
  });

  it('cuts a long line in the tail, and holds an unfinished one only so far', () => {
    const tail = new OutputTail({ maxLines: 2, maxLineChars: 4, maxLogLineChars: 6 });
    expect(tail.push('abcdefgh')).toEqual([]);
    expect(tail.push('ij\nshort\n')).toEqual(['abcdef… (10 characters)', 'short']);
    expect(tail.text()).toBe('abcd… (10 characters)\nshor… (5 characters)');
    tail.push('x'.repeat(100));
    expect(tail.text()).toBe('shor… (5 characters)\nxxxx… (100 characters)');
  });

  it('a 5 MB line written in pieces costs the report a bounded line', () => {
    const tail = new OutputTail();
    for (let i = 0; i < 80; i++) tail.push('Z'.repeat(65_536));
    tail.push('\nlast\n');
    expect(tail.text()).toBe(`${'Z'.repeat(1000)}… (5242880 characters)\nlast`);
  });
});
