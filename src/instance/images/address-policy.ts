/**
 * Which addresses an image URL may reach. Private, loopback, link-local (incl. the cloud
 * metadata address 169.254.169.254), CGNAT, multicast, unspecified, documentation and
 * IPv6 unique-local addresses are refused unless the policy allows private addresses, and
 * so is each of them embedded in IPv6 (mapped, IPv4-compatible, NAT64, 6to4, Teredo).
 * The check runs on
 * the addresses DNS answers, inside the socket's lookup, so the address checked is the
 * address connected to (no DNS-rebinding gap).
 */
import dns from 'node:dns';
import net from 'node:net';

export class AddressRefusedError extends Error {
  readonly code = 'MODELDOCK_ADDRESS_REFUSED';
}

function v4Parts(ip: string): number[] {
  return ip.split('.').map(Number);
}

function refusedV4(ip: string): boolean {
  const [a, b, c] = v4Parts(ip) as [number, number, number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 192 && b === 88 && c === 99) /* 6to4 relay */ ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) /* documentation: routes nowhere */ ||
    a >= 224
  );
}

/** An IPv6 address (already checked by net.isIP) as its eight 16-bit words; a zone id is dropped. */
function v6Words(ip: string): number[] {
  let s = ip.toLowerCase().split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16));
}

/** The IPv4 address held in words i and i + 1. */
const v4In = (w: number[], i: number, mask = 0): string => [w[i]! >> 8, w[i]! & 255, w[i + 1]! >> 8, w[i + 1]! & 255].map((x) => x ^ mask).join('.');

function refusedV6(ip: string): boolean {
  const w = v6Words(ip);
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  // ::/96 IPv4-compatible (deprecated, incl. :: and ::1): routes nowhere a fetch should go
  if (zero(0, 6)) return true;
  // IPv4 in IPv6: ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT), 64:ff9b::a.b.c.d (NAT64, RFC 6052)
  if (zero(0, 5) && w[5] === 0xffff) return refusedV4(v4In(w, 6));
  if (zero(0, 4) && w[4] === 0xffff && w[5] === 0) return refusedV4(v4In(w, 6));
  if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) return refusedV4(v4In(w, 6));
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) return true; // local-use NAT64 (RFC 8215)
  if (w[0] === 0x2002) return refusedV4(v4In(w, 1)); // 6to4
  if (w[0] === 0x2001 && w[1] === 0) return refusedV4(v4In(w, 2)) || refusedV4(v4In(w, 6, 0xff)); // Teredo: server, client
  if (w[0] === 0x2001 && w[1] === 0xdb8) return true; // documentation
  if (w[0] === 0x100 && zero(1, 4)) return true; // discard-only 100::/64
  const first = w[0]!;
  return (
    (first & 0xfe00) === 0xfc00 /* fc00::/7 ULA */ ||
    (first & 0xffc0) === 0xfe80 /* link-local */ ||
    (first & 0xff00) === 0xff00 /* multicast */ ||
    (first & 0xffc0) === 0xfec0
  ); /* site-local */
}

/** True when the policy must refuse this IP address (v4 or v6) unless private addresses are allowed. */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return refusedV4(ip);
  if (family === 6) return refusedV6(ip);
  return true;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** How names are resolved: dns.lookup's `all: true` form (tests pass a stub, so nothing leaves the machine). */
export type Resolve = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const noAddress = (hostname: string) => Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND', hostname });

/** `.invalid` names never resolve (RFC 6761 §6.4): answered at once, no DNS server asked. */
const neverResolves = (hostname: string) => /(^|\.)invalid\.?$/i.test(hostname);

const systemResolve: Resolve = (hostname, options, callback) => {
  if (neverResolves(hostname)) return queueMicrotask(() => callback(noAddress(hostname), []));
  dns.lookup(hostname, options, callback);
};

/** How long a name may take to resolve before the fetch fails (EAI_AGAIN). */
export const DNS_TIMEOUT_MS = 3_000;

/** A `lookup` for net.connect that refuses private answers (all of them are checked). */
export function guardedLookup(allowPrivate: boolean, resolve: Resolve = systemResolve, timeoutMs = DNS_TIMEOUT_MS) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    let settled = false;
    // a DNS server that does not answer: fail at once with why, not at the end of the fetch timeout
    const timer = setTimeout(() => {
      settled = true;
      callback(Object.assign(new Error(`${hostname}: no DNS answer within ${timeoutMs} ms`), { code: 'EAI_AGAIN', hostname }), '');
    }, timeoutMs);
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) return callback(err, '');
      const list = addresses ?? [];
      if (list.length === 0) return callback(noAddress(hostname), '');
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new AddressRefusedError(`${hostname} resolves to ${bad.address}, a private or local address`), '');
      if (options.all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}
