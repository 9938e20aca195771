// The Benchmark page's entry, loaded with a dynamic import() the first time the page is opened, so that its view,
// its state and the benchmark code stay out of the app's initial JS. App.svelte keeps what this returns, so a run
// goes on, and its results stay, while the user visits other views.
import type { EngineClient } from '../../engine-client';
import { APP_VERSION } from '../../pwa.svelte';
import { BenchmarkResults } from '../../state/benchmark-results.svelte';
import { BenchmarkState } from '../../state/benchmark.svelte';
import type { ModelManager } from '../../state/model-manager.svelte';
import BenchmarkView from './BenchmarkView.svelte';

export interface BenchmarkPageDeps {
  client: EngineClient;
  models: ModelManager;
  settings: { value: { modelBaseUrl: string } };
  chat: { readonly streaming: boolean };
}

export interface BenchmarkPage {
  View: typeof BenchmarkView;
  bench: BenchmarkState;
  results: BenchmarkResults;
}

export async function createBenchmarkPage({ client, models, settings, chat }: BenchmarkPageDeps): Promise<BenchmarkPage> {
  const results = new BenchmarkResults({ onChange: (all) => models.useResults(all) });
  const bench = new BenchmarkState({ client, models, settings, results, chatBusy: () => chat.streaming, appVersion: APP_VERSION });
  await results.restore();
  return { View: BenchmarkView, bench, results };
}
