// Conversation export (JSON, Markdown) and import validation (src/lib/transfer.ts).
import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT, exportJson, exportMarkdown, parseImport } from '../../src/lib/transfer';
import type { Conversation } from '../../src/lib/types';

function sample(id: string, updatedAt: number): Conversation {
  return {
    id,
    title: `Chat ${id}`,
    createdAt: 1,
    updatedAt,
    systemPrompt: 'Be brief.',
    messages: [
      { id: `${id}-u`, role: 'user', content: 'Hello **there**', createdAt: 2 },
      {
        id: `${id}-a`,
        role: 'assistant',
        content: '<think>hmm</think>Hi!',
        createdAt: 3,
        status: 'done',
        modelId: 'qwen3-0.6b-onnx',
        device: 'webgpu',
        finishReason: 'stop',
        thinkingMs: 120,
        metrics: { promptTokens: 10, outputTokens: 3, timeToFirstTokenMs: 50, prefillTokensPerS: 200, decodeTokensPerS: 40, totalMs: 120 },
        remote: {
          model: 'gpt-5.2',
          content: 'Hello.',
          status: 'done',
          incomplete: false,
          usage: { inputTokens: 12, outputTokens: 2, reasoningTokens: 0 },
          timeToFirstTokenMs: 300,
          totalMs: 400,
          tokensPerS: 20,
          costUsd: 0.00005,
        },
        blind: { aIs: 'remote', vote: 'tie' },
      },
    ],
  };
}

let counter = 0;
const newId = (): string => `new-${++counter}`;

describe('exportJson / parseImport', () => {
  it('round-trips: export, import into an empty store, export again gives the same bytes', () => {
    const original = exportJson([sample('a', 10), sample('b', 20)]);
    const report = parseImport(original, [], newId);
    expect(report.fileError).toBeUndefined();
    expect(report.rejected).toEqual([]);
    expect(report.imported).toHaveLength(2);
    expect(exportJson(report.imported)).toBe(original);
    expect(JSON.parse(original).format).toBe(EXPORT_FORMAT);
  });

  it('skips conversations already stored unchanged, and imports a clashing different one under a new id', () => {
    const stored = [sample('a', 10)];
    const changed = { ...sample('a', 10), title: 'Edited elsewhere' };
    const report = parseImport(exportJson([sample('a', 10)]), stored, newId);
    expect(report).toMatchObject({ duplicates: 1, renamedIds: 0, imported: [] });
    const clash = parseImport(exportJson([changed]), stored, newId);
    expect(clash.renamedIds).toBe(1);
    expect(clash.imported[0]?.id).toMatch(/^new-/);
    expect(clash.imported[0]?.title).toBe('Edited elsewhere');
  });

  it('rejects bad files as a whole with a reason', () => {
    expect(parseImport('{not json', [], newId).fileError).toMatch(/not valid JSON/);
    expect(parseImport('{"format":"other"}', [], newId).fileError).toMatch(/not a conversation export/);
    expect(parseImport(JSON.stringify({ format: EXPORT_FORMAT, version: 99, conversations: [] }), [], newId).fileError).toMatch(/version 99/);
    expect(parseImport(JSON.stringify({ format: EXPORT_FORMAT, version: 1 }), [], newId).fileError).toMatch(/no conversation list/);
  });

  it('rejects broken conversations one by one, naming them and why, and keeps the good ones', () => {
    const good = sample('good', 5);
    const file = JSON.stringify({
      format: EXPORT_FORMAT,
      version: 1,
      conversations: [
        good,
        { ...sample('x', 1), messages: [{ id: 'm', role: 'wizard', content: 'hi', createdAt: 1 }] },
        { title: 'No id', createdAt: 1, updatedAt: 1, messages: [] },
        { ...sample('y', 1), messages: [{ ...sample('y', 1).messages[1], remote: { model: 5 } }] },
        'just a string',
      ],
    });
    const report = parseImport(file, [], newId);
    expect(report.imported.map((conversation) => conversation.id)).toEqual(['good']);
    expect(report.rejected).toEqual([
      { index: 1, title: 'Chat x', reason: 'message 1 has an unknown role' },
      { index: 2, title: 'No id', reason: 'no id' },
      { index: 3, title: 'Chat y', reason: 'message 1: remote answer has no model or content' },
      { index: 4, title: '#5', reason: 'not an object' },
    ]);
  });

  it('gives each malformed conversation field its own reason, all of them at once', () => {
    const base = sample('m', 1);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, messages: 'hello' }, 'messages is not a list'],
      [{ ...base, messages: { 0: 'hello' } }, 'messages is not a list'],
      [{ ...base, messages: undefined }, 'no messages'],
      [{ ...base, createdAt: '2024-01-01' }, 'createdAt is not a date'],
      [{ ...base, updatedAt: undefined }, 'no updatedAt date'],
      [{ ...base, title: 7 }, 'title is not text'],
      [{ ...base, id: '' }, 'no id'],
      [{ id: 'n', title: 'Old', messages: 'x' }, 'no createdAt date; no updatedAt date; messages is not a list'],
    ];
    for (const [conversation, reason] of cases) {
      const report = parseImport(JSON.stringify({ format: EXPORT_FORMAT, version: 1, conversations: [conversation] }), [], newId);
      expect(report.imported, reason).toEqual([]);
      expect(report.rejected[0]?.reason).toBe(reason);
    }
  });

  it('keeps only known fields and turns a never-finished answer into a stopped one', () => {
    const raw = sample('z', 1);
    const file = JSON.stringify({
      format: EXPORT_FORMAT,
      version: 1,
      conversations: [
        {
          ...raw,
          injected: '<script>alert(1)</script>',
          messages: [
            raw.messages[0],
            { ...raw.messages[1], status: 'streaming', metrics: { outputTokens: 'many' }, onclick: 'x', error: { name: 'Evil', message: 'x' } },
          ],
        },
      ],
    });
    const [conversation] = parseImport(file, [], newId).imported;
    expect(conversation && 'injected' in conversation).toBe(false);
    const answer = conversation?.messages[1];
    expect(answer?.status).toBe('stopped');
    expect(answer?.metrics).toBeUndefined();
    expect(answer?.error).toBeUndefined();
    expect(answer && 'onclick' in answer).toBe(false);
  });
});

describe('exportMarkdown', () => {
  it('writes the title, system prompt and both sides of each turn', () => {
    const markdown = exportMarkdown(sample('m', 1));
    expect(markdown).toBe(
      '# Chat m\n\n> System: Be brief.\n\n## You\n\nHello **there**\n\n## qwen3-0.6b-onnx\n\n<think>hmm</think>Hi!\n\n## gpt-5.2\n\nHello.\n',
    );
  });
});
