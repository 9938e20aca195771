// The scorecard's two kinds of side, wired to the app: the local model through the engine worker (the same client
// the chat uses), and each remote side through the app's remote client with that side's own settings and key.
// A remote side is given more room than the cap for its hidden reasoning, which it bills as output (pricing.ts):
// without it a reasoning model would spend the whole cap thinking and answer nothing.
import type { ChatTurn, GenerationOptions, LoadedModel } from '../../../common/protocol';
import type { EngineClient } from '../engine-client';
import type { RemoteStream } from '../state/answer-runner.svelte';
import type { Price } from '../remote/pricing';
import type { RemoteSettings } from '../remote/remote-api';
import { failedAnswer, finishedAnswer } from '../remote/remote-answer';
import { requestBody } from '../remote/request-body';
import type { RemoteSideSettings } from '../types';
import type { AnswerRequest, ScorecardSideRunner, SideAnswer } from './side-runner';

export const REMOTE_REASONING_ROOM = 4096;

export interface LocalDeps {
  generate: EngineClient['generate'];
  loaded: LoadedModel;
  options: GenerationOptions;
  contextTokens: number;
}

function turnsFor(request: AnswerRequest): ChatTurn[] {
  return [{ role: 'user', content: request.prompt, ...(request.images ? { images: request.images } : {}) }];
}

export function localRunner(deps: LocalDeps): ScorecardSideRunner {
  return {
    side: {
      id: 'local',
      kind: 'local',
      name: `This device: ${deps.loaded.modelId}`,
      model: deps.loaded.modelId,
      // Every Qwen3 and Qwen3.5 build the app offers is published under Apache-2.0.
      licence: 'Apache-2.0',
      contextTokens: deps.contextTokens,
      readsPictures: deps.loaded.takesImages,
    },
    async answer(request, signal) {
      const options = { ...deps.options, maxNewTokens: request.maxTokens };
      for await (const event of deps.generate({ messages: turnsFor(request), options }, signal)) {
        if (event.type !== 'done') continue;
        const { result } = event;
        if (result.finishReason === 'aborted') throw Object.assign(new Error('Stopped.'), { name: 'Aborted' });
        const { metrics } = result;
        return {
          text: result.text,
          incomplete: result.finishReason === 'length',
          timeToFirstTokenMs: metrics.timeToFirstTokenMs,
          tokensPerS: metrics.decodeTokensPerS > 0 ? metrics.decodeTokensPerS : undefined,
          inputTokens: metrics.promptTokens,
          outputTokens: metrics.outputTokens,
          sentBytes: 0,
          costUsd: 0,
          totalMs: metrics.totalMs,
        };
      }
      throw Object.assign(new Error('The engine ended without an answer.'), { name: 'EngineFailed' });
    },
  };
}

export interface RemoteDeps {
  side: RemoteSideSettings;
  settings: RemoteSettings;
  price: Price | undefined;
  stream: RemoteStream;
}

export function remoteRunner({ side, settings, price, stream }: RemoteDeps): ScorecardSideRunner {
  return {
    side: {
      id: side.id,
      kind: 'remote',
      name: side.name,
      model: side.model,
      licence: side.licence,
      readsPictures: side.readsPictures,
      ...(side.contextTokens !== undefined ? { contextTokens: side.contextTokens } : {}),
      ...(price ? { price } : {}),
    },
    async answer(request, signal): Promise<SideAnswer> {
      const withCap = { ...settings, maxOutputTokens: request.maxTokens + REMOTE_REASONING_ROOM };
      const turns = turnsFor(request);
      const sentBytes = new TextEncoder().encode(JSON.stringify(requestBody(withCap, turns))).length;
      let text = '';
      try {
        for await (const event of stream(withCap, turns, signal)) {
          if (event.type === 'delta') {
            text += event.text;
            continue;
          }
          const done = finishedAnswer(event, price);
          return {
            text,
            incomplete: done.incomplete,
            sentBytes,
            ...(done.timeToFirstTokenMs !== undefined ? { timeToFirstTokenMs: done.timeToFirstTokenMs } : {}),
            ...(done.totalMs !== undefined ? { totalMs: done.totalMs } : {}),
            ...(done.tokensPerS !== undefined ? { tokensPerS: done.tokensPerS } : {}),
            ...(done.costUsd !== undefined ? { costUsd: done.costUsd } : {}),
            ...(done.usage
              ? { inputTokens: done.usage.inputTokens, outputTokens: done.usage.outputTokens, ...(done.usage.cachedInputTokens !== undefined ? { cachedInputTokens: done.usage.cachedInputTokens } : {}) }
              : {}),
          };
        }
      } catch (error) {
        const failed = failedAnswer(error, signal.aborted);
        if (failed.status === 'stopped') throw Object.assign(new Error('Stopped.'), { name: 'Aborted' });
        throw Object.assign(new Error(failed.error?.message ?? 'The remote side failed.'), { name: failed.error?.name ?? 'RemoteHttp' });
      }
      throw Object.assign(new Error('The stream ended without an answer.'), { name: 'RemoteBadResponse' });
    },
  };
}
