// The Scorecard view's entry, loaded with a dynamic import() the first time the view is opened, so the task set,
// the graders, the sandbox client and the view stay out of the app's initial JS. App.svelte keeps what this
// returns, so a run goes on while the user visits other views.
import type { EngineClient } from '../../engine-client';
import { streamRemote } from '../../remote/lazy-stream';
import { runCode } from '../../sandbox/run-code';
import { localRunner, remoteRunner } from '../../scorecard/app-runners';
import { blindWinsBySide } from '../../scorecard/blind-wins';
import { drawPicture } from '../../scorecard/pictures';
import type { ScorecardSideRunner } from '../../scorecard/side-runner';
import { TASK_SET } from '../../scorecard/tasks';
import type { TaskGroup } from '../../scorecard/types';
import type { CompareState } from '../../state/compare.svelte';
import type { ModelManager } from '../../state/model-manager.svelte';
import { ScorecardState } from '../../state/scorecard.svelte';
import { loadScorecardRuns, saveScorecardRuns } from '../../storage';
import type { Conversation, Settings } from '../../types';
import type { ScorecardRun } from '../../scorecard/run-record';
import ScorecardView from './ScorecardView.svelte';

export interface ScorecardPageDeps {
  client: EngineClient;
  models: ModelManager;
  settings: { readonly value: Settings };
  compare: CompareState;
  chat: { readonly conversations: readonly Conversation[] };
}

/** A side the user can tick: ready, or why not. */
export interface Candidate {
  id: string;
  name: string;
  detail: string;
  /** Undefined when the side can run; else what to do first. */
  blocked?: string;
}

export interface ScorecardPage {
  View: typeof ScorecardView;
  state: ScorecardState;
  candidates(): Candidate[];
  start(sideIds: readonly string[], groups: readonly TaskGroup[]): Promise<void>;
  /** Blind-vote wins per side of a run measured here, from the votes in this browser's conversations. */
  votesFor(run: ScorecardRun): Record<string, number> | undefined;
}

function browserLabel(): string {
  const brand = (navigator as Navigator & { userAgentData?: { brands: { brand: string; version: string }[] } }).userAgentData?.brands.find(
    (entry) => !/not.a.brand/i.test(entry.brand),
  );
  return brand ? `${brand.brand} ${brand.version}` : navigator.userAgent.slice(0, 120);
}

export async function createScorecardPage({ client, models, settings, compare, chat }: ScorecardPageDeps): Promise<ScorecardPage> {
  const state = new ScorecardState({
    taskSet: TASK_SET,
    runCode,
    drawPicture,
    storage: { load: loadScorecardRuns, save: saveScorecardRuns },
    device: () => ({ browser: browserLabel(), ...(models.loaded ? { adapter: models.loaded.adapterArchitecture || models.loaded.device } : {}) }),
  });
  await state.restore();

  function candidates(): Candidate[] {
    const loaded = models.status === 'ready' ? models.loaded : undefined;
    const local: Candidate = loaded
      ? { id: 'local', name: `This device: ${loaded.modelId}`, detail: `${loaded.device}${loaded.takesImages ? ', reads pictures' : ''}` }
      : { id: 'local', name: 'This device', detail: 'no model loaded', blocked: 'Load a model in the Model panel first.' };
    const remotes = compare.sides.map((side): Candidate => ({
      id: side.id,
      name: side.name,
      detail: `${side.model} at ${side.endpoint}`,
      ...(compare.ready(side) ? {} : { blocked: `Set its API key on the Compare view first.` }),
    }));
    return [local, ...remotes];
  }

  function runnerFor(id: string): ScorecardSideRunner | undefined {
    if (id === 'local') {
      const loaded = models.loaded;
      if (models.status !== 'ready' || !loaded) return undefined;
      const { generation, contextTokens } = settings.value;
      return localRunner({ generate: (request, signal) => client.generate(request, signal), loaded, options: { ...generation }, contextTokens });
    }
    const side = compare.side(id);
    if (!side || !compare.ready(side)) return undefined;
    return remoteRunner({ side: { ...side }, settings: compare.remoteSettings(id), price: compare.priceOf(id), stream: streamRemote });
  }

  async function start(sideIds: readonly string[], groups: readonly TaskGroup[]): Promise<void> {
    const runners = sideIds.map(runnerFor).filter((runner) => runner !== undefined);
    await state.start(runners, { groups, maxTokens: settings.value.generation.maxNewTokens });
  }

  function votesFor(run: ScorecardRun): Record<string, number> | undefined {
    return run.importedFrom ? undefined : blindWinsBySide(run.sides, compare.votes(chat.conversations).rows);
  }

  return { View: ScorecardView, state, candidates, start, votesFor };
}
