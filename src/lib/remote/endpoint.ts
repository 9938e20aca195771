// The endpoint address the user typed, checked and normalised before any request, and the host named in notices.
// Invariant: only https, or plain http on loopback (a local server or the test mock), ever passes, so the API key
// is never sent in the clear; credentials, queries and fragments are refused.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Normalises what the user typed as the endpoint: trimmed, no trailing slash, https (plain http only on loopback,
 * where a local server or the test mock runs). Throws an Error whose message says what to fix.
 */
export function validateEndpoint(input: string): string {
  const trimmed = input.trim();
  if (trimmed === '') throw new Error('Enter the endpoint address, for example https://api.openai.com/v1.');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`"${trimmed}" is not a web address. Enter one like https://api.openai.com/v1.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`The endpoint must start with https:// (got ${url.protocol}).`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`The endpoint must use https:// so the API key is not sent in the clear (http:// is allowed only for localhost).`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('Leave credentials out of the endpoint address: the API key has its own field.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error('The endpoint address takes no ?query or #fragment: enter the base URL only, like https://api.openai.com/v1.');
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The host the user will recognise in a notice ("api.openai.com"); the raw text when it is not a URL. */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint.trim()).host;
  } catch {
    return endpoint.trim();
  }
}
