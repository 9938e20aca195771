// Picture tasks: images the app draws itself (scorecard/pictures.ts draws a PictureSpec), so the right answer is
// known; they run only on sides that read pictures. Written for this app.
import type { GraderSpec, PictureSpec, ScorecardTask } from '../types';

function task(id: string, prompt: string, picture: PictureSpec, grader: GraderSpec, reference: string): ScorecardTask {
  return { id: `pictures-${id}`, group: 'pictures', prompt, picture, grader, reference };
}

export const PICTURE_TASKS: readonly ScorecardTask[] = [
  task('red-circles', 'How many red circles are in the picture? Reply with the number only.',
    { kind: 'shapes', shape: 'circle', colour: 'red', count: 4, seed: 11 }, { kind: 'number', answer: 4 }, '4'),
  task('blue-squares', 'How many blue squares are in the picture? Reply with the number only.',
    { kind: 'shapes', shape: 'square', colour: 'blue', count: 6, seed: 23 }, { kind: 'number', answer: 6 }, '6'),
  task('green-triangles', 'How many green triangles are in the picture? Reply with the number only.',
    { kind: 'shapes', shape: 'triangle', colour: 'green', count: 3, seed: 5 }, { kind: 'number', answer: 3 }, '3'),
  task('digits-short', 'What number is written in the picture? Reply with the number only.',
    { kind: 'digits', text: '407' }, { kind: 'number', answer: 407 }, '407'),
  task('digits-long', 'What number is written in the picture? Reply with the digits only.',
    { kind: 'digits', text: '81926' }, { kind: 'number', answer: 81926 }, '81926'),
  task('tallest-bar', 'The picture is a bar chart. Which label has the tallest bar? Reply with the label only.',
    { kind: 'bars', values: [3, 7, 5, 2], labels: ['A', 'B', 'C', 'D'] }, { kind: 'text', answers: ['B'] }, 'B'),
  task('bar-value', 'The picture is a bar chart with a value written above each bar. What is the value of the bar labelled "Tue"? Reply with the number only.',
    { kind: 'bars', values: [12, 30, 18], labels: ['Mon', 'Tue', 'Wed'] }, { kind: 'number', answer: 30 }, '30'),
];
