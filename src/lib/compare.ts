// Pure helpers of the comparison: the blind-vote tally across conversations and its CSV / JSON export.
import { csvLine } from './csv';
import type { BlindChoice, Conversation } from './types';

export interface VoteRow {
  conversationId: string;
  conversationTitle: string;
  at: string;
  prompt: string;
  localModel: string;
  remoteModel: string;
  /** Which answer was shown as "A". */
  aWas: 'local' | 'remote';
  vote: BlindChoice;
}

export interface Tally {
  local: number;
  remote: number;
  tie: number;
}

export function voteRows(conversations: readonly Conversation[]): VoteRow[] {
  const rows: VoteRow[] = [];
  for (const conversation of conversations) {
    conversation.messages.forEach((message, index) => {
      if (message.role !== 'assistant' || !message.blind?.vote || !message.remote) return;
      const prompt = conversation.messages[index - 1];
      rows.push({
        conversationId: conversation.id,
        conversationTitle: conversation.title,
        at: new Date(message.createdAt).toISOString(),
        prompt: prompt?.role === 'user' ? prompt.content : '',
        localModel: message.modelId ?? '',
        remoteModel: message.remote.model,
        aWas: message.blind.aIs,
        vote: message.blind.vote,
      });
    });
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at));
}

export function tally(rows: readonly VoteRow[]): Tally {
  const counts: Tally = { local: 0, remote: 0, tie: 0 };
  for (const row of rows) counts[row.vote] += 1;
  return counts;
}

const CSV_COLUMNS: readonly (keyof VoteRow)[] = [
  'at',
  'conversationId',
  'conversationTitle',
  'prompt',
  'localModel',
  'remoteModel',
  'aWas',
  'vote',
];

export function votesToCsv(rows: readonly VoteRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(csvLine(CSV_COLUMNS.map((column) => row[column])));
  return `${lines.join('\r\n')}\r\n`;
}

export function votesToJson(rows: readonly VoteRow[]): string {
  return `${JSON.stringify({ format: 'qwen-webgpu-chat/blind-votes', version: 1, tally: tally(rows), votes: rows }, null, 2)}\n`;
}
