// Where a build's files live: the model base URL setting (the public host or a mirror) and a hub-style repo id
// (`org/name`) turned into the URL its files sit under. Both the page (load requests, the model source setting)
// and the catalogue (custom repos) check repo ids here.

/** The public model host. Anything else is a mirror that serves `<base>/<org>/<name>/<file>`. */
export const DEFAULT_MODEL_BASE_URL = 'https://huggingface.co/';

const HUB_PATH_TEMPLATE = '{model}/resolve/{revision}/';
const MIRROR_PATH_TEMPLATE = '{model}/';
const DEFAULT_REVISION = 'main';

// Hub repo ids: `org/name`, each part letters, digits, `-`, `_` or `.`, not starting with `.` or `-`, no `..`.
const REPO_PART = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const REPO_MAX_LENGTH = 96;

export function isRepoId(repo: string): boolean {
  const parts = repo.split('/');
  if (parts.length !== 2 || repo.length > REPO_MAX_LENGTH) return false;
  return parts.every((part) => REPO_PART.test(part) && !part.includes('..'));
}

export function requireRepoId(repo: string): void {
  if (!isRepoId(repo)) {
    throw new Error(
      `"${repo}" is not a model repo id. Write it as organisation/name, for example onnx-community/Qwen3-0.6B-ONNX.`,
    );
  }
}


/**
 * The model base URL setting in canonical form: trimmed, http(s) only, no credentials, query or fragment, ending
 * in `/`. Throws an Error that says what is wrong otherwise.
 */
export function normaliseBaseUrl(input: string): string {
  const trimmed = input.trim();
  if (trimmed === '') throw new Error('The model base URL is empty. Use https://huggingface.co/ or a mirror URL.');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`"${trimmed}" is not a URL. The model base URL must start with http:// or https://.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The model base URL must start with http:// or https://, not ${url.protocol}//.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('The model base URL must not carry a user name or password.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error('The model base URL must not have a query (?…) or fragment (#…).');
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url.href;
}

/**
 * transformers.js's `remotePathTemplate` for a base URL: the public host lays files out as
 * `<org>/<name>/resolve/<revision>/<file>`, a mirror as `<org>/<name>/<file>`. Throws on a bad base URL.
 */
export function remotePathTemplate(baseUrl: string): string {
  return normaliseBaseUrl(baseUrl) === DEFAULT_MODEL_BASE_URL ? HUB_PATH_TEMPLATE : MIRROR_PATH_TEMPLATE;
}

/**
 * The URL a repo's files sit under, ending in `/`: the base URL plus the path template filled in for this repo
 * (and, on the public host, the revision). Throws on a bad base URL or repo id.
 */
export function filesBaseUrl(baseUrl: string, repo: string, revision: string = DEFAULT_REVISION): string {
  requireRepoId(repo);
  const base = normaliseBaseUrl(baseUrl);
  const path = remotePathTemplate(base)
    .replace('{model}', repo)
    .replace('{revision}', encodeURIComponent(revision));
  return `${base}${path}`;
}

/** The origin of a URL (`https://huggingface.co`), or the text itself when it is not a URL: for naming a host. */
export function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : url;
}
