// Instruction following with checkable constraints: JSON that fits a schema, an exact number of bullet points, words
// that must or must not appear, a word limit. Written for this app.
import type { GraderSpec, ScorecardTask } from '../types';

function task(id: string, prompt: string, grader: GraderSpec, reference: string): ScorecardTask {
  return { id: `instructions-${id}`, group: 'instructions', prompt, grader, reference };
}

export const INSTRUCTION_TASKS: readonly ScorecardTask[] = [
  task('json-person', 'Reply with a JSON object only, with exactly two fields: "name" (a string) and "year" (an integer between 1900 and 2100), describing any famous scientist.',
    { kind: 'json-schema', schema: { type: 'object', required: ['name', 'year'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 }, year: { type: 'integer', minimum: 1900, maximum: 2100 } } } },
    '{"name": "Marie Curie", "year": 1903}'),
  task('json-list', 'Reply with a JSON array only, of exactly three strings, each the name of a planet of the Solar System.',
    { kind: 'json-schema', schema: { type: 'array', minItems: 3, maxItems: 3, items: { enum: ['Mercury', 'Venus', 'Earth', 'Mars', 'Jupiter', 'Saturn', 'Uranus', 'Neptune'] } } },
    '["Mars", "Venus", "Earth"]'),
  task('json-nested', 'Reply with a JSON object only: {"city": string, "coordinates": {"lat": number, "lon": number}} for Tokyo.',
    { kind: 'json-schema', schema: { type: 'object', required: ['city', 'coordinates'], properties: { city: { type: 'string' }, coordinates: { type: 'object', required: ['lat', 'lon'], properties: { lat: { type: 'number', minimum: 30, maximum: 40 }, lon: { type: 'number', minimum: 135, maximum: 145 } } } } } },
    '{"city": "Tokyo", "coordinates": {"lat": 35.68, "lon": 139.69}}'),
  task('bullets-three', 'Give exactly three bullet points, each one short sentence, on why sleep matters. Use "-" for each bullet.',
    { kind: 'bullets', count: 3 }, '- Sleep restores the body.\n- It helps memory.\n- It lifts the mood.'),
  task('bullets-five', 'List exactly five fruits as a bulleted list, one per line, and nothing else.',
    { kind: 'bullets', count: 5 }, '- apple\n- pear\n- plum\n- mango\n- kiwi'),
  task('must-include', 'In one sentence, describe the sea. The sentence must contain the word "salt".',
    { kind: 'words', mustInclude: ['salt'] }, 'The sea is a vast body of salt water.'),
  task('must-exclude', 'Describe the sky on a clear day in one sentence without using the word "blue".',
    { kind: 'words', mustExclude: ['blue'], maxWords: 40 }, 'On a clear day the sky is bright and cloudless.'),
  task('word-limit', 'Explain what a computer is in at most 12 words.',
    { kind: 'words', maxWords: 12 }, 'A machine that follows instructions to process information.'),
  task('combo', 'In at most 20 words, say what a library is. Use the word "books" and do not use the word "read".',
    { kind: 'words', mustInclude: ['books'], mustExclude: ['read'], maxWords: 20 }, 'A library is a place that lends books and other media to the public.'),
  task('one-word', 'Which is heavier, a kilogram of iron or a kilogram of feathers? Reply with one word: "iron", "feathers" or "neither".',
    { kind: 'text', answers: ['neither'] }, 'Neither'),
];
