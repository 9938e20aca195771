// Results side by side: grouped by the machine that measured them, the latest result of each build and device,
// and two machines' latest results row by row. Invariants: a machine is its browser profile's id plus its adapter
// (as sameMachine says); "latest" is by measuredAt; a row exists for every build either machine measured.
import type { Device } from '../protocol';
import type { MachineIdentity } from './machine';
import { machineLabel, type BenchMachine, type BenchResult } from './result';

export interface MachineGroup {
  key: string;
  label: string;
  machine: BenchMachine;
  results: BenchResult[];
}

export function machineKey(machine: MachineIdentity): string {
  const { adapter } = machine;
  return [machine.deviceId, adapter.vendor, adapter.architecture, adapter.device, adapter.description, String(adapter.isFallbackAdapter)].join('|');
}

/** Machines in the order their newest result was measured, newest first. */
export function groupByMachine(results: readonly BenchResult[]): MachineGroup[] {
  const groups = new Map<string, MachineGroup>();
  for (const result of [...results].sort(newestFirst)) {
    const key = machineKey(result.machine);
    const group = groups.get(key);
    if (group) group.results.push(result);
    else groups.set(key, { key, label: machineLabel(result.machine), machine: result.machine, results: [result] });
  }
  return [...groups.values()];
}

export function newestFirst(a: Pick<BenchResult, 'measuredAt'>, b: Pick<BenchResult, 'measuredAt'>): number {
  return a.measuredAt < b.measuredAt ? 1 : a.measuredAt > b.measuredAt ? -1 : 0;
}

const buildKey = (result: Pick<BenchResult, 'modelKey' | 'buildId' | 'device'>): string => `${result.modelKey}|${result.buildId}|${result.device}`;

/** The newest result of each model build and device among `results`, newest first. */
export function latestPerBuild(results: readonly BenchResult[]): BenchResult[] {
  const latest = new Map<string, BenchResult>();
  for (const result of [...results].sort(newestFirst)) if (!latest.has(buildKey(result))) latest.set(buildKey(result), result);
  return [...latest.values()];
}

export interface ComparisonRow {
  key: string;
  modelLabel: string;
  buildLabel: string;
  device: Device;
  a?: BenchResult;
  b?: BenchResult;
}

export function compareMachines(a: MachineGroup, b: MachineGroup): ComparisonRow[] {
  const rows = new Map<string, ComparisonRow>();
  const add = (result: BenchResult, side: 'a' | 'b'): void => {
    const key = buildKey(result);
    const row = rows.get(key) ?? { key, modelLabel: result.modelLabel, buildLabel: result.buildLabel, device: result.device };
    row[side] = result;
    rows.set(key, row);
  };
  for (const result of latestPerBuild(a.results)) add(result, 'a');
  for (const result of latestPerBuild(b.results)) add(result, 'b');
  return [...rows.values()].sort((x, y) => x.modelLabel.localeCompare(y.modelLabel) || x.buildLabel.localeCompare(y.buildLabel) || x.device.localeCompare(y.device));
}
