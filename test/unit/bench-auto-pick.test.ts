// The auto-pick rule: the fastest build of a model by the latest result of each build on this machine, on the
// device it would load on; imported results never count; the user's choice wins.
import { describe, expect, it } from 'vitest';
import { fastestBuild, parseMeasured, preferredBuild, type PickCandidate } from '../../common/bench/auto-pick';
import { sampleMachine, sampleResult } from './bench-sample';

const HERE = sampleMachine();
const CANDIDATES: PickCandidate[] = [
  { buildId: 'onnx', device: 'webgpu' },
  { buildId: 'gguf', device: 'webgpu' },
  { buildId: 'mlc', device: 'webgpu' },
];

describe('fastestBuild', () => {
  it('picks the build with the highest decode rate and says the figure', () => {
    const results = [
      sampleResult({ buildId: 'onnx', decodeTokensPerS: 30 }),
      sampleResult({ buildId: 'gguf', decodeTokensPerS: 45.5 }),
      sampleResult({ buildId: 'mlc', decodeTokensPerS: 40 }),
    ];
    const fastest = fastestBuild(CANDIDATES, results, HERE);
    expect(fastest?.buildId).toBe('gguf');
    expect(fastest?.decodeTokensPerS).toBe(45.5);
    expect(fastest?.resultId).toBe(results[1]?.id);
  });

  it("judges each build by its latest result, even when an older one was faster", () => {
    const results = [
      sampleResult({ buildId: 'gguf', decodeTokensPerS: 90, measuredAt: '2026-04-01T00:00:00.000Z' }),
      sampleResult({ buildId: 'gguf', decodeTokensPerS: 20, measuredAt: '2026-05-02T00:00:00.000Z' }),
      sampleResult({ buildId: 'onnx', decodeTokensPerS: 30, measuredAt: '2026-05-01T00:00:00.000Z' }),
    ];
    expect(fastestBuild(CANDIDATES, results, HERE)?.buildId).toBe('onnx');
  });

  it('ignores results of another machine, another adapter, another device or builds not offered', () => {
    const results = [
      sampleResult({ buildId: 'gguf', decodeTokensPerS: 99, machine: sampleMachine({ deviceId: 'someone-else' }) }),
      sampleResult({ buildId: 'mlc', decodeTokensPerS: 98, machine: sampleMachine({ adapter: { ...HERE.adapter, vendor: 'amd' } }) }),
      sampleResult({ buildId: 'onnx', decodeTokensPerS: 97, device: 'wasm' }),
      sampleResult({ buildId: 'other', decodeTokensPerS: 96 }),
      sampleResult({ buildId: 'onnx', decodeTokensPerS: 12 }),
    ];
    expect(fastestBuild(CANDIDATES, results, HERE)).toMatchObject({ buildId: 'onnx', decodeTokensPerS: 12 });
  });

  it('picks nothing when no build was measured here', () => {
    expect(fastestBuild(CANDIDATES, [], HERE)).toBeUndefined();
    expect(fastestBuild(CANDIDATES, [sampleResult({ buildId: 'onnx', machine: sampleMachine({ deviceId: 'x' }) })], HERE)).toBeUndefined();
  });

  it('keeps the candidates’ order on a tie', () => {
    const results = [sampleResult({ buildId: 'mlc', decodeTokensPerS: 40 }), sampleResult({ buildId: 'gguf', decodeTokensPerS: 40 })];
    expect(fastestBuild(CANDIDATES, results, HERE)?.buildId).toBe('gguf');
  });
});

describe('preferredBuild', () => {
  const fastest = { buildId: 'gguf', device: 'webgpu' as const, decodeTokensPerS: 45, measuredAt: 'x', resultId: 'r' };

  it('takes the fastest measured build when the user picks the model, and as the default', () => {
    expect(preferredBuild('onnx', CANDIDATES, undefined, fastest)).toMatchObject({ buildId: 'gguf', because: 'fastest' });
    expect(preferredBuild(undefined, CANDIDATES, undefined, fastest)).toMatchObject({ buildId: 'gguf', because: 'fastest' });
  });

  it("leaves the model to the user once they overrode the auto-pick: what they ask for, else their last choice", () => {
    expect(preferredBuild('onnx', CANDIDATES, 'mlc', fastest)).toEqual({ buildId: 'onnx', because: 'chosen' });
    expect(preferredBuild(undefined, CANDIDATES, 'mlc', fastest)).toEqual({ buildId: 'mlc', because: 'chosen' });
  });

  it('falls back to what was asked for, and forgets a choice that is no longer offered', () => {
    expect(preferredBuild('onnx', CANDIDATES, undefined, undefined)).toEqual({ buildId: 'onnx', because: 'asked' });
    expect(preferredBuild('onnx', CANDIDATES, 'gone', undefined)).toEqual({ buildId: 'onnx', because: 'asked' });
    expect(preferredBuild(undefined, CANDIDATES, undefined, undefined)).toBeUndefined();
  });
});

describe('parseMeasured', () => {
  it('reads what the auto-pick needs of a stored result, and nothing that lacks it', () => {
    const result = sampleResult({ buildId: 'gguf', decodeTokensPerS: 12 });
    expect(parseMeasured(result)).toEqual({
      id: result.id,
      buildId: 'gguf',
      device: 'webgpu',
      decodeTokensPerS: 12,
      measuredAt: result.measuredAt,
      machine: {
        deviceId: 'device-a',
        adapter: { vendor: 'intel', architecture: 'gen-12lp', device: '', description: '', isFallbackAdapter: false },
      },
    });
    expect(parseMeasured({ ...result, decodeTokensPerS: 'fast' })).toBeUndefined();
    expect(parseMeasured({ ...result, device: 'tpu' })).toBeUndefined();
    expect(parseMeasured({ ...result, machine: { deviceId: 'x' } })).toBeUndefined();
    expect(parseMeasured(null)).toBeUndefined();
  });
});
