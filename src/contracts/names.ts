/** Names of models and services: 1–60 letters, digits, `_`, `-`, starting with a letter or digit. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$';
const NAME_RE = new RegExp(NAME_PATTERN);

export const isValidName = (name: string): boolean => NAME_RE.test(name);

export const NAME_RULE = '1–60 characters of letters, digits, "_" or "-", starting with a letter or digit';

/** Names the platform uses at the root of its URL space; a service may not take them. */
export const RESERVED_NAMES = new Set(['api', 'v1', 'v2', 'metrics', 'healthz', 'assets', 'console', 'favicon.ico', 'index.html', 'static']);
