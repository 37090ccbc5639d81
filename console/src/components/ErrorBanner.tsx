/** The API's error message ({error:{code,message}}) for a form or a page. */
import { ApiError } from '../api.js';

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const msg = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="error-banner" role="alert">
      {code && <code className="error-code">{code}</code>} {msg}
    </div>
  );
}
