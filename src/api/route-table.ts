/**
 * Remembers every registered route so that a request to a known path with the wrong
 * method answers 405 METHOD_NOT_ALLOWED (with Allow) instead of 404.
 */
import type { FastifyInstance } from 'fastify';

export class RouteTable {
  private readonly routes: { re: RegExp; methods: Set<string> }[] = [];

  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (r) => {
      const methods = (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toUpperCase());
      this.add(r.url, methods);
    });
  }

  add(url: string, methods: string[]): void {
    const pattern = url
      .split('/')
      // `::` in a literal segment is Fastify's escaped colon (`m::predict` is the path `m:predict`)
      .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replaceAll('::', ':').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const re = new RegExp(`^${pattern}$`);
    const existing = this.routes.find((r) => r.re.source === re.source);
    if (existing) methods.forEach((m) => existing.methods.add(m));
    else this.routes.push({ re, methods: new Set(methods) });
  }

  /** Methods allowed on a concrete path, or empty when the path is unknown. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.routes) if (r.re.test(path)) r.methods.forEach((m) => out.add(m));
    return [...out].sort();
  }
}
