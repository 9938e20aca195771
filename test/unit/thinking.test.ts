// The think-block splitter: closed, unclosed, empty, several blocks, text before, a template that opens the block
// in the prompt, and tags that have only partly arrived while streaming.
import { describe, expect, it } from 'vitest';
import { formatThinkingDuration, splitThinking, thinkingMsOf } from '../../src/lib/thinking';

describe('splitThinking', () => {
  it('leaves text without think tags untouched', () => {
    expect(splitThinking('  Hello **world**\n')).toEqual({ reasoning: '', answer: '  Hello **world**\n', thinking: false, hadThinkTag: false });
  });

  it('splits a closed block from the answer after it', () => {
    const split = splitThinking('<think>\nThe user greets me.\n</think>\n\nHello!');
    expect(split).toEqual({ reasoning: 'The user greets me.', answer: 'Hello!', thinking: false, hadThinkTag: true });
  });

  it('treats an unclosed block as reasoning still streaming, with no answer yet', () => {
    const split = splitThinking('<think>\nLet me think about');
    expect(split).toEqual({ reasoning: 'Let me think about', answer: '', thinking: true, hadThinkTag: true });
  });

  it('shows nothing for an empty block', () => {
    expect(splitThinking('<think>\n\n</think>\n\nThe answer.')).toEqual({ reasoning: '', answer: 'The answer.', thinking: false, hadThinkTag: true });
    expect(splitThinking('<think></think>')).toEqual({ reasoning: '', answer: '', thinking: false, hadThinkTag: true });
  });

  it('joins several blocks and keeps the answer text between them', () => {
    const split = splitThinking('<think>one</think>First. <think>two</think>Second.');
    expect(split.reasoning).toBe('one\n\ntwo');
    expect(split.answer).toBe('First. Second.');
    expect(split.thinking).toBe(false);
  });

  it('keeps text before the first block in the answer', () => {
    const split = splitThinking('Sure. <think>hmm</think> Here it is.');
    expect(split.reasoning).toBe('hmm');
    expect(split.answer).toBe('Sure.  Here it is.');
  });

  it('takes everything before a leading closing tag as reasoning (template opened the block)', () => {
    const split = splitThinking('The user wants a poem.\n</think>\n\nRoses are red.');
    expect(split).toEqual({ reasoning: 'The user wants a poem.', answer: 'Roses are red.', thinking: false, hadThinkTag: true });
  });

  it('holds back a tag that has only partly arrived while streaming, and only then', () => {
    expect(splitThinking('<thi', { streaming: true }).answer).toBe('');
    expect(splitThinking('<think>reasoning</thi', { streaming: true })).toMatchObject({ reasoning: 'reasoning', thinking: true });
    expect(splitThinking('a < b', { streaming: true }).answer).toBe('a < b');
    expect(splitThinking('<thi').answer).toBe('<thi');
  });

  it('an unclosed block after a closed one still counts as thinking', () => {
    expect(splitThinking('<think>a</think>x<think>b')).toMatchObject({ reasoning: 'a\n\nb', answer: 'x', thinking: true });
  });
});

describe('thinking duration', () => {
  it('formats milliseconds, seconds and minutes', () => {
    expect(formatThinkingDuration(420)).toBe('Thought for 420 ms');
    expect(formatThinkingDuration(3240)).toBe('Thought for 3.2 s');
    expect(formatThinkingDuration(42_000)).toBe('Thought for 42 s');
    expect(formatThinkingDuration(65_000)).toBe('Thought for 1 min 5 s');
  });

  it('reads thinkingMs from a message only when it is a finite, non-negative number', () => {
    expect(thinkingMsOf({ thinkingMs: 1200 })).toBe(1200);
    expect(thinkingMsOf({ thinkingMs: '1200' })).toBeUndefined();
    expect(thinkingMsOf({ thinkingMs: -1 })).toBeUndefined();
    expect(thinkingMsOf({})).toBeUndefined();
  });
});
