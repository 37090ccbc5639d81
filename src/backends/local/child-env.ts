/**
 * The environment an instance inherits from the platform, without the platform's secrets:
 * model code is the user's (or a third party's) code and must not read the admin token
 * or the credentials in the database and blob URLs.
 */
const SECRET_KEYS = new Set([
  'MODELDOCK_ADMIN_TOKEN',
  'MODELDOCK_DATABASE_URL',
  'MODELDOCK_BLOB_URL',
  'MODELDOCK_SERVICE_TOKEN',
  'PGPASSWORD',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
]);

export function inheritedEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!SECRET_KEYS.has(k)) out[k] = v;
  return out;
}
