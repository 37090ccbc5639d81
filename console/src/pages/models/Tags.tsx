/** Key/value tags as chips, and the "k=v" lines they are edited as. */
export function Tags({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags);
  if (!entries.length) return <span className="muted">–</span>;
  return (
    <span className="tags">
      {entries.map(([k, v]) => (
        <span key={k} className="tag">
          {k}={v}
        </span>
      ))}
    </span>
  );
}

/** "a=1, b=2" or one per line → {a: "1", b: "2"}; undefined when empty. */
export function parseTags(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of text.split(/[\n,]/)) {
    const s = part.trim();
    if (!s) continue;
    const i = s.indexOf('=');
    if (i < 0) out[s] = '';
    else out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}
