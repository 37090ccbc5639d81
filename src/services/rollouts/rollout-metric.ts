/**
 * The optional metric guardrail's reading: a Prometheus-style series a version's instances
 * export on their own /metrics, summed over its ready instances (every label set of that
 * name), read once a check the way Prometheus would scrape it. Null when no instance
 * answered or none exports the series.
 */
export interface MetricTarget {
  service: string;
  seq: number;
  url: string;
}

/** The sum of every sample of `name` in Prometheus text (any labels); undefined when there is none. */
export function sumSeries(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(
      rest
        .replace(/^\{[^}]*\}/, '')
        .trim()
        .split(/\s+/)[0],
    );
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

export async function readVersionMetric(targets: MetricTarget[], service: string, seq: number, name: string, timeoutMs = 1_000): Promise<number | null> {
  const mine = targets.filter((t) => t.service === service && t.seq === seq);
  const values = await Promise.all(
    mine.map(async (t) => {
      try {
        const res = await fetch(`${t.url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
        return res.ok ? sumSeries(await res.text(), name) : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const seen = values.filter((v): v is number => v !== undefined);
  return seen.length ? seen.reduce((a, b) => a + b, 0) : null;
}
