// The median the benchmark reports, and the greedy top-1 agreement between a WebGPU and a CPU stream.
import { describe, expect, it } from 'vitest';
import { agreement } from '../../common/bench/agreement';
import { median, medianOrZero } from '../../common/bench/stats';

describe('median', () => {
  it('takes the middle value of an odd list and the mean of the two middle ones of an even list, in any order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7])).toBe(7);
  });

  it('is robust to one slow run', () => {
    expect(median([30, 31, 29, 2, 30])).toBe(30);
  });

  it('has none for an empty list and leaves out values that are not finite', () => {
    expect(median([])).toBeUndefined();
    expect(median([Number.NaN, Number.POSITIVE_INFINITY])).toBeUndefined();
    expect(median([1, Number.NaN, 3])).toBe(2);
    expect(medianOrZero([])).toBe(0);
  });
});

describe('greedy top-1 agreement', () => {
  it('is 100% for identical streams, with no divergence', () => {
    const pieces = ['The', ' sea', ' is', ' calm'];
    expect(agreement(pieces, [...pieces], 4)).toEqual({ compared: 4, identical: 4, percent: 100 });
  });

  it('counts identical positions and names the first divergence', () => {
    const result = agreement(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'y'], 4);
    expect(result?.identical).toBe(2);
    expect(result?.percent).toBe(50);
    expect(result?.firstDivergence).toEqual({ index: 1, reference: 'b', candidate: 'x' });
  });

  it('compares only the first N positions', () => {
    expect(agreement(['a', 'b', 'c'], ['a', 'b', 'z'], 2)).toEqual({ compared: 2, identical: 2, percent: 100 });
  });

  it('counts positions one side never reached as differences', () => {
    const result = agreement(['a', 'b'], ['a', 'b', 'c', 'd'], 8);
    expect(result?.compared).toBe(4);
    expect(result?.percent).toBe(50);
    expect(result?.firstDivergence).toEqual({ index: 2, reference: '', candidate: 'c' });
  });

  it('has no figure when nothing was compared', () => {
    expect(agreement([], [], 8)).toBeUndefined();
    expect(agreement(['a'], ['a'], 0)).toBeUndefined();
  });
});
