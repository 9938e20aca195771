// Multilingual tasks: answer in the asked language and script, with a known answer. Written for this app; each asks
// for one word or a short phrase, so the script check and the known answer decide together.
import type { ScorecardTask, ScriptName } from '../types';

function task(id: string, prompt: string, script: ScriptName, answers: string[]): ScorecardTask {
  return { id: `multilingual-${id}`, group: 'multilingual', prompt, grader: { kind: 'language', script, answers }, reference: answers[0] ?? '' };
}

export const MULTILINGUAL_TASKS: readonly ScorecardTask[] = [
  task('zh-water', 'What is the Chinese word for "water"? Reply with the Chinese characters only.', 'Han', ['水']),
  task('zh-capital', '中国的首都是哪座城市？只用中文回答城市名。', 'Han', ['北京', '北京市']),
  task('ja-water', 'Reply only with the Japanese word for "water", written in hiragana.', 'Hiragana', ['みず']),
  task('ja-cat', '「猫」をひらがなで書いてください。ひらがなだけで答えてください。', 'Hiragana', ['ねこ']),
  task('ko-hello', 'How do you say "hello" in Korean? Reply in Hangul only.', 'Hangul', ['안녕하세요', '안녕']),
  task('fr-cat', 'Quel est le mot français pour "cat" ? Réponds par un seul mot.', 'Latin', ['chat']),
  task('es-seven', '¿Cómo se escribe el número 7 en español? Responde con una sola palabra.', 'Latin', ['siete']),
  task('de-tree', 'Wie heißt "tree" auf Deutsch? Antworte mit einem Wort.', 'Latin', ['Baum', 'der Baum']),
  task('ru-thanks', 'How do you say "thank you" in Russian? Reply in Cyrillic only, one word.', 'Cyrillic', ['спасибо']),
  task('ar-sun', 'What is the Arabic word for "sun"? Reply in Arabic script only.', 'Arabic', ['شمس', 'الشمس']),
  task('hi-five', 'What is the Hindi word for the number five? Reply in Devanagari only.', 'Devanagari', ['पाँच', 'पांच']),
  task('el-sea', 'What is the Greek word for "sea"? Reply in Greek letters only.', 'Greek', ['θάλασσα']),
];
