// Blind-vote rows, tally and CSV / JSON export (src/lib/compare.ts).
import { describe, expect, it } from 'vitest';
import { tally, voteRows, votesToCsv, votesToJson } from '../../src/lib/compare';
import type { BlindChoice, ChatMessage, Conversation } from '../../src/lib/types';

function turn(prompt: string, vote: BlindChoice | undefined, at: number, aIs: 'local' | 'remote' = 'local'): ChatMessage[] {
  return [
    { id: `u${at}`, role: 'user', content: prompt, createdAt: at },
    {
      id: `a${at}`,
      role: 'assistant',
      content: 'local answer',
      createdAt: at,
      status: 'done',
      modelId: 'qwen3-0.6b-onnx',
      remote: { model: 'gpt-5.2', content: 'remote answer', status: 'done', incomplete: false },
      blind: vote ? { aIs, vote } : { aIs },
    },
  ];
}

function conversation(id: string, messages: ChatMessage[]): Conversation {
  return { id, title: `Chat ${id}`, createdAt: 0, updatedAt: 0, messages };
}

describe('voteRows and tally', () => {
  const conversations = [
    conversation('c1', [...turn('Hello, "friend"', 'local', 2000), ...turn('unvoted', undefined, 3000)]),
    conversation('c2', [...turn('=SUM(A1)', 'remote', 1000, 'remote'), ...turn('third', 'tie', 4000)]),
    conversation('c3', [{ id: 'x', role: 'assistant', content: 'no compare', createdAt: 5, status: 'done' }]),
  ];

  it('lists only voted, compared turns, oldest first, with their prompt', () => {
    const rows = voteRows(conversations);
    expect(rows.map((row) => [row.prompt, row.vote, row.aWas])).toEqual([
      ['=SUM(A1)', 'remote', 'remote'],
      ['Hello, "friend"', 'local', 'local'],
      ['third', 'tie', 'local'],
    ]);
    expect(rows[0]?.at).toBe(new Date(1000).toISOString());
    expect(rows[0]?.localModel).toBe('qwen3-0.6b-onnx');
    expect(rows[0]?.remoteModel).toBe('gpt-5.2');
  });

  it('counts votes per side', () => {
    expect(tally(voteRows(conversations))).toEqual({ local: 1, remote: 1, tie: 1 });
    expect(tally([])).toEqual({ local: 0, remote: 0, tie: 0 });
  });

  it('exports CSV with quoting and spreadsheet-formula protection', () => {
    const lines = votesToCsv(voteRows(conversations)).trimEnd().split('\r\n');
    expect(lines[0]).toBe('at,conversationId,conversationTitle,prompt,localModel,remoteModel,aWas,vote');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(",'=SUM(A1),");
    expect(lines[2]).toContain(',"Hello, ""friend""",');
  });

  it('exports versioned JSON that parses back to the same rows', () => {
    const rows = voteRows(conversations);
    const parsed: unknown = JSON.parse(votesToJson(rows));
    expect(parsed).toEqual({ format: 'qwen-webgpu-chat/blind-votes', version: 1, tally: tally(rows), votes: rows });
  });
});
