// The Compare view's entry, loaded with a dynamic import() the first time the view is opened, so that the remote
// model's settings and the blind tally stay out of the app's initial JS (the compare answers in the chat do not
// need them). Its state lives in CompareState, made by App.svelte, so nothing here outlives a visit.
import CompareSettings from './CompareSettings.svelte';

export const CompareView = CompareSettings;
