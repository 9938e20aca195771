// Stored-settings validation (parseSettings), the turns sent to the engine (buildTurns, stripThinking), and the number formatters.
import { describe, expect, it } from 'vitest';
import { formatMs, formatPercent, formatRate } from '../../src/lib/format';
import { buildTurns, stripThinking } from '../../src/lib/history';
import { estimateTokens, trimToContext, withoutOldestExchange } from '../../common/context-budget';
import {
  DEFAULT_COMPARE,
  DEFAULT_GENERATION,
  defaultSettings,
  parseSettings,
  withThinking,
} from '../../src/lib/settings';
import type { ChatMessage, MessageStatus, Settings } from '../../src/lib/types';

const BASE = 'https://huggingface.co/';

function defaults(): Settings {
  return defaultSettings(BASE);
}

/** A fully valid stored record, every field different from the defaults. */
function validStored(): Settings {
  return {
    modelBaseUrl: 'http://192.168.1.10:8080/',
    customRepos: ['me/Qwen3-0.6B-custom-ONNX', 'org/another-ONNX'],
    selectedModelId: 'qwen3-1.7b',
    systemPrompt: 'Answer in French.',
    generation: { maxNewTokens: 2048, temperature: 1.2, topP: 0.95, topK: 40, repetitionPenalty: 1.15, enableThinking: true },
    contextTokens: 8192,
    watchdogSeconds: 600,
    compare: {
      enabled: true,
      sides: [
        {
          id: 'vllm',
          name: 'Our big Qwen',
          endpoint: 'http://127.0.0.1:9000/v1',
          model: 'gpt-5.2-chat-latest',
          api: 'chat',
          reasoningEffort: 'high',
          needsKey: false,
          rememberKey: true,
          readsPictures: true,
          acceptsTools: false,
          licence: 'Apache-2.0',
          contextTokens: 131072,
          chosen: false,
        },
      ],
      blind: true,
      prices: { 'gpt-5.2-chat-latest': { inputPerMillion: 2, outputPerMillion: 16 } },
      idleTimeoutS: 45,
    },
  };
}

describe('defaultSettings', () => {
  it('uses the given base URL, no selection, an empty prompt and a copy of the default generation options', () => {
    const settings = defaults();
    expect(settings).toEqual({
      modelBaseUrl: BASE,
      customRepos: [],
      selectedModelId: undefined,
      systemPrompt: '',
      generation: DEFAULT_GENERATION,
      contextTokens: 4096,
      watchdogSeconds: 120,
      compare: DEFAULT_COMPARE,
    });
    expect(settings.generation).not.toBe(DEFAULT_GENERATION);
    expect(DEFAULT_GENERATION).toEqual({ maxNewTokens: 512, temperature: 0.7, topP: 0.8, topK: 20, repetitionPenalty: 1, enableThinking: false });
  });
});

describe('parseSettings', () => {
  it('returns the defaults for garbage input', () => {
    for (const raw of [undefined, null, 0, 42, 'settings', true, [], [1, 2], () => 1]) {
      expect(parseSettings(raw, defaults()), String(raw)).toEqual(defaults());
    }
  });

  it('keeps every valid value', () => {
    expect(parseSettings(validStored(), defaults())).toEqual(validStored());
  });

  it('keeps the range limits themselves', () => {
    const low = parseSettings({ generation: { maxNewTokens: 1, temperature: 0, topP: 0, topK: 0 } }, defaults());
    expect(low.generation).toEqual({ maxNewTokens: 1, temperature: 0, topP: 0, topK: 0, repetitionPenalty: 1, enableThinking: false });
    const high = parseSettings({ generation: { maxNewTokens: 32768, temperature: 2, topP: 1, topK: 1000 } }, defaults());
    expect(high.generation).toEqual({ maxNewTokens: 32768, temperature: 2, topP: 1, topK: 1000, repetitionPenalty: 1, enableThinking: false });
  });

  it('falls back for missing fields and a missing or broken generation record', () => {
    expect(parseSettings({}, defaults())).toEqual(defaults());
    expect(parseSettings({ systemPrompt: 'Be brief.' }, defaults())).toEqual({ ...defaults(), systemPrompt: 'Be brief.' });
    for (const generation of [null, 'fast', 3, [512]]) {
      expect(parseSettings({ ...validStored(), generation }, defaults()).generation).toEqual(DEFAULT_GENERATION);
    }
  });

  type TopField = 'modelBaseUrl' | 'customRepos' | 'selectedModelId' | 'systemPrompt';
  const badTop: Record<TopField, unknown[]> = {
    modelBaseUrl: [42, null, ['http://x/'], { href: 'http://x/' }],
    customRepos: ['org/repo', [1, 2], ['ok/repo', 3], { 0: 'org/repo' }, null],
    selectedModelId: [7, null, false, ['qwen3-1.7b']],
    systemPrompt: [0, null, ['prompt'], { text: 'prompt' }],
  };
  for (const [key, values] of Object.entries(badTop) as [TopField, unknown[]][]) {
    it(`falls back for ${key} alone when it has the wrong type`, () => {
      for (const value of values) {
        const parsed = parseSettings({ ...validStored(), [key]: value }, defaults());
        expect(parsed, `${key} = ${JSON.stringify(value)}`).toEqual({ ...validStored(), [key]: defaults()[key] });
      }
    });
  }

  type GenField = keyof Settings['generation'];
  const badGeneration: Record<GenField, unknown[]> = {
    maxNewTokens: [0, -1, 32769, Number.NaN, Number.POSITIVE_INFINITY, '512', null],
    temperature: [-0.1, 2.01, Number.NaN, '0.7', true],
    topP: [-0.01, 1.01, Number.NaN, Number.NEGATIVE_INFINITY, '0.9'],
    topK: [-1, 1001, Number.POSITIVE_INFINITY, '20', null],
    repetitionPenalty: [0.9, 2.5, Number.NaN, '1.1', null],
    enableThinking: ['true', 1, 0, null, 'yes'],
  };
  for (const [key, values] of Object.entries(badGeneration) as [GenField, unknown[]][]) {
    it(`falls back for generation.${key} alone when it has the wrong type or is out of range`, () => {
      for (const value of values) {
        const stored = validStored();
        const parsed = parseSettings({ ...stored, generation: { ...stored.generation, [key]: value } }, defaults());
        expect(parsed, `${key} = ${String(value)}`).toEqual({
          ...stored,
          generation: { ...stored.generation, [key]: DEFAULT_GENERATION[key] },
        });
      }
    });
  }

  it('keeps the watchdog time within 10 s to an hour and falls back for it alone otherwise', () => {
    expect(parseSettings({ ...validStored(), watchdogSeconds: 10 }, defaults()).watchdogSeconds).toBe(10);
    expect(parseSettings({ ...validStored(), watchdogSeconds: 3600 }, defaults()).watchdogSeconds).toBe(3600);
    for (const value of [0, 9.9, 3601, -120, Number.NaN, Number.POSITIVE_INFINITY, '120', null, true]) {
      const parsed = parseSettings({ ...validStored(), watchdogSeconds: value }, defaults());
      expect(parsed, `watchdogSeconds = ${String(value)}`).toEqual({ ...validStored(), watchdogSeconds: 120 });
    }
  });

  it('falls back to the defaults passed in, not to fixed values', () => {
    const custom: Settings = { ...defaultSettings('http://mirror.local/'), systemPrompt: 'Default prompt' };
    const parsed = parseSettings({ modelBaseUrl: 5, systemPrompt: false }, custom);
    expect(parsed.modelBaseUrl).toBe('http://mirror.local/');
    expect(parsed.systemPrompt).toBe('Default prompt');
  });
});

let nextId = 0;
function user(content: string): ChatMessage {
  nextId += 1;
  return { id: `m${nextId}`, role: 'user', content, createdAt: nextId };
}
function assistant(content: string, status: MessageStatus = 'done'): ChatMessage {
  nextId += 1;
  return { id: `m${nextId}`, role: 'assistant', content, createdAt: nextId, status };
}

describe('stripThinking', () => {
  it('removes every think block and trims', () => {
    expect(stripThinking('<think>\nplan\n</think>\n\nThe answer is 4.')).toBe('The answer is 4.');
    expect(stripThinking('<think>a</think>One. <think>b\nc</think>Two.')).toBe('One. Two.');
    expect(stripThinking('  plain  ')).toBe('plain');
    expect(stripThinking('<think>only thoughts</think>')).toBe('');
  });
});

describe('buildTurns', () => {
  it('puts a non-blank system prompt first, trimmed', () => {
    const turns = buildTurns('  You are terse.  ', [user('Hi')]);
    expect(turns).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('leaves out a blank system prompt', () => {
    expect(buildTurns('', [user('Hi')])).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(buildTurns(' \n\t ', [user('Hi')])).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('strips <think>…</think> from earlier assistant answers', () => {
    const turns = buildTurns('', [
      user('What is 2+2?'),
      assistant('<think>\nTwo plus two is four.\n</think>\n\n2 + 2 = 4.'),
      user('And 3+3?'),
    ]);
    expect(turns).toEqual([
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '2 + 2 = 4.' },
      { role: 'user', content: 'And 3+3?' },
    ]);
  });

  it('leaves out error answers and answers that are empty or only thinking', () => {
    const turns = buildTurns('System.', [
      user('first'),
      assistant('partial text before the GPU failed', 'error'),
      user('second'),
      assistant(''),
      user('third'),
      assistant('<think>thinking that was stopped</think>', 'stopped'),
      user('fourth'),
      assistant('   \n '),
      user('fifth'),
      assistant('A stopped but useful answer', 'stopped'),
    ]);
    expect(turns).toEqual([
      { role: 'system', content: 'System.' },
      { role: 'user', content: 'first' },
      { role: 'user', content: 'second' },
      { role: 'user', content: 'third' },
      { role: 'user', content: 'fourth' },
      { role: 'user', content: 'fifth' },
      { role: 'assistant', content: 'A stopped but useful answer' },
    ]);
  });

  it('keeps user turns verbatim: whitespace, markup and think-like tags included', () => {
    const text = '  <think>not mine to strip</think>\n```js\nconsole.log(1)\n```\n  ';
    expect(buildTurns('', [user(text), user('')])).toEqual([
      { role: 'user', content: text },
      { role: 'user', content: '' },
    ]);
  });

  it('returns no turns for an empty conversation without a system prompt', () => {
    expect(buildTurns('', [])).toEqual([]);
  });
});

describe('formatMs', () => {
  it('shows whole milliseconds below one second', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(0.4)).toBe('0 ms');
    expect(formatMs(12.5)).toBe('13 ms');
    expect(formatMs(999)).toBe('999 ms');
  });

  it('shows seconds with two decimals below ten seconds and one above', () => {
    expect(formatMs(1000)).toBe('1.00 s');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(9990)).toBe('9.99 s');
    expect(formatMs(10_000)).toBe('10.0 s');
    expect(formatMs(65_432)).toBe('65.4 s');
  });

  it('never prints "1000 ms" for durations that round up to a second', () => {
    expect(formatMs(999.5)).toBe('1.00 s');
    expect(formatMs(999.9)).toBe('1.00 s');
  });
});

describe('formatRate', () => {
  it('uses two decimals below 10, one below 100, none above', () => {
    expect(formatRate(0, 'tok')).toBe('0.00 tok/s');
    expect(formatRate(3.14159, 'tok')).toBe('3.14 tok/s');
    expect(formatRate(10, 'tok')).toBe('10.0 tok/s');
    expect(formatRate(42.26, 'MB')).toBe('42.3 MB/s');
    expect(formatRate(100, 'tok')).toBe('100 tok/s');
    expect(formatRate(1234.5, 'MB')).toBe('1235 MB/s');
  });
});

describe('formatPercent', () => {
  it('floors, so 100% only shows when done', () => {
    expect(formatPercent(0, 100)).toBe('0%');
    expect(formatPercent(1, 3)).toBe('33%');
    expect(formatPercent(2, 3)).toBe('66%');
    expect(formatPercent(999_999, 1_000_000)).toBe('99%');
    expect(formatPercent(100, 100)).toBe('100%');
  });

  it('caps at 100% and shows 0% for a zero or negative total', () => {
    expect(formatPercent(150, 100)).toBe('100%');
    expect(formatPercent(5, 0)).toBe('0%');
    expect(formatPercent(0, 0)).toBe('0%');
    expect(formatPercent(5, -10)).toBe('0%');
  });
});

describe('parseSettings: comparison settings', () => {
  it('falls back field by field for a damaged compare record', () => {
    const parsed = parseSettings(
      { compare: { enabled: 'yes', api: 'soap', reasoningEffort: 'max', model: 'gpt-5.2', prices: { x: { inputPerMillion: -1 } } } },
      defaults(),
    );
    expect(parsed.compare).toEqual({ ...DEFAULT_COMPARE, sides: [{ ...DEFAULT_COMPARE.sides[0], api: 'responses', reasoningEffort: 'default' }] });
  });

  it('turns settings saved with one endpoint into the first side, keeping what the user set', () => {
    const old = { endpoint: 'https://api.openai.com/v1', model: 'gpt-5.2', api: 'chat', reasoningEffort: 'low', rememberKey: true };
    const [side, ...rest] = parseSettings({ compare: old }, defaults()).compare.sides;
    expect(rest).toEqual([]);
    expect(side).toMatchObject({ id: 'openai', name: 'OpenAI GPT-5.2', api: 'chat', reasoningEffort: 'low', rememberKey: true, needsKey: true, licence: 'proprietary', contextTokens: 400_000 });
    // Another host and model: named by the model, and GPT-5.2's licence and context are not claimed for it.
    const other = parseSettings({ compare: { endpoint: 'http://localhost:8000/v1', model: 'my-model' } }, defaults()).compare.sides[0];
    expect(other).toMatchObject({ id: 'openai', name: 'my-model', endpoint: 'http://localhost:8000/v1', licence: 'unknown' });
    expect(other?.contextTokens).toBeUndefined();
  });

  it('keeps at most three sides with unique ids, skips broken ones, and never leaves none', () => {
    const side = (id: unknown) => ({ ...DEFAULT_COMPARE.sides[0], id });
    const parsed = parseSettings({ compare: { sides: [side('a'), side('a'), 'junk', side(''), side(7), side('b'), side('c'), side('d')] } }, defaults());
    expect(parsed.compare.sides.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
    expect(parseSettings({ compare: { sides: ['junk'] } }, defaults()).compare.sides).toEqual(DEFAULT_COMPARE.sides);
    const damaged = parseSettings({ compare: { sides: [{ id: 'x', needsKey: 'no', contextTokens: -5, name: 12 }] } }, defaults()).compare.sides[0];
    expect(damaged).toMatchObject({ id: 'x', needsKey: true, name: 'OpenAI GPT-5.2' });
    expect(damaged?.contextTokens).toBeUndefined();
  });
});

describe('buildTurns for the remote side', () => {
  const user = (content: string): ChatMessage => ({ id: content, role: 'user', content, createdAt: 0 });
  it('gives each side its own earlier answers, and the local answer where the remote side did not answer', () => {
    const messages: ChatMessage[] = [
      user('one'),
      { id: 'a1', role: 'assistant', content: 'local one', createdAt: 0, status: 'done' },
      user('two'),
      {
        id: 'a2',
        role: 'assistant',
        content: 'local two',
        createdAt: 0,
        status: 'done',
        remote: { model: 'gpt-5.2', content: 'remote two', status: 'done', incomplete: false },
      },
      user('three'),
      {
        id: 'a3',
        role: 'assistant',
        content: 'local three',
        createdAt: 0,
        status: 'done',
        remote: { model: 'gpt-5.2', content: '', status: 'error', incomplete: false, error: { name: 'RemoteAuth', message: 'bad key' } },
      },
    ];
    expect(buildTurns('', messages, 'remote').map((turn) => turn.content)).toEqual([
      'one',
      'local one',
      'two',
      'remote two',
      'three',
      'local three',
    ]);
    expect(buildTurns('', messages, 'local').map((turn) => turn.content)).toEqual([
      'one',
      'local one',
      'two',
      'local two',
      'three',
      'local three',
    ]);
  });
});

describe('thinking mode sampling and context trimming', () => {
  it('switching the mode applies Qwen’s recommended sampling and keeps the rest', () => {
    const base = { ...DEFAULT_GENERATION, maxNewTokens: 99, repetitionPenalty: 1.2 };
    expect(withThinking(base, true)).toEqual({ ...base, temperature: 0.6, topP: 0.95, topK: 20, enableThinking: true });
    expect(withThinking(base, false)).toEqual({ ...base, temperature: 0.7, topP: 0.8, topK: 20, enableThinking: false });
  });

  const turn = (role: 'system' | 'user' | 'assistant', content: string) => ({ role, content });
  const oneTokenPerChar = (text: string): number => text.length;

  it('keeps everything that fits', () => {
    const turns = [turn('system', 'sys'), turn('user', 'aa'), turn('assistant', 'bb'), turn('user', 'cc')];
    expect(trimToContext(turns, 100, oneTokenPerChar)).toEqual(turns);
  });

  it('drops the oldest exchanges first, keeps the system prompt, and starts on a user turn', () => {
    const turns = [
      turn('system', 'sys'),
      turn('user', 'u1-xxxxxxxx'),
      turn('assistant', 'a1-xxxxxxxx'),
      turn('user', 'u2'),
      turn('assistant', 'a2'),
      turn('user', 'u3'),
    ];
    expect(trimToContext(turns, 12, oneTokenPerChar)).toEqual([
      turn('system', 'sys'),
      turn('user', 'u2'),
      turn('assistant', 'a2'),
      turn('user', 'u3'),
    ]);
  });

  it('always keeps the newest user turn, even when it alone is over the budget', () => {
    const turns = [turn('user', 'old'), turn('assistant', 'answer'), turn('user', 'a very long question')];
    expect(trimToContext(turns, 5, oneTokenPerChar)).toEqual([turn('user', 'a very long question')]);
  });

  it('estimates about one token per three characters plus the template', () => {
    expect(estimateTokens('')).toBe(4);
    expect(estimateTokens('abcdef')).toBe(6);
  });
});

describe('withoutOldestExchange', () => {
  const system = { role: 'system' as const, content: 'S' };
  const u = (content: string) => ({ role: 'user' as const, content });
  const a = (content: string) => ({ role: 'assistant' as const, content });

  it('drops the first question with every answer before the next question, keeping the system prompt', () => {
    expect(withoutOldestExchange([system, u('1'), a('1'), u('2'), a('2'), u('3')])).toEqual([system, u('2'), a('2'), u('3')]);
  });

  it('drops consecutive answers along with their question, so no orphaned answer starts the history', () => {
    expect(withoutOldestExchange([u('1'), a('1a'), a('1b'), u('2')])).toEqual([u('2')]);
  });

  it('never drops the newest turn or the system prompt', () => {
    expect(withoutOldestExchange([system, u('only')])).toBeUndefined();
    expect(withoutOldestExchange([u('only')])).toBeUndefined();
    expect(withoutOldestExchange([system])).toBeUndefined();
    expect(withoutOldestExchange([])).toBeUndefined();
  });

  it('is what trimToContext repeats until the estimate fits', () => {
    const turns = [system, u('x'.repeat(300)), a('y'.repeat(300)), u('z')];
    expect(trimToContext(turns, 50)).toEqual(withoutOldestExchange(turns));
  });
});
