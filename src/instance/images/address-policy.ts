/**
 * Which addresses an image URL may reach. Private, loopback, link-local (incl. the cloud
 * metadata address 169.254.169.254), CGNAT, multicast, unspecified and IPv6 unique-local
 * addresses are refused unless the policy allows private addresses. The check runs on
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
  const [a, b] = v4Parts(ip) as [number, number, number, number];
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 192 && b === 0 && v4Parts(ip)[2] === 0) ||
    (a === 198 && (b === 18 || b === 19)) || a >= 224
  );
}

function refusedV6(ip: string): boolean {
  const lower = ip.toLowerCase();
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return refusedV4(mapped[1]!);
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16);
    const lo = parseInt(hexMapped[2]!, 16);
    return refusedV4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (lower === '::' || lower === '::1') return true;
  const first = parseInt(lower.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 /* fc00::/7 ULA */ || (first & 0xffc0) === 0xfe80 /* link-local */ || (first & 0xff00) === 0xff00 /* multicast */ ||
    (first & 0xffc0) === 0xfec0 /* site-local */;
}

/** True when the policy must refuse this IP address (v4 or v6) unless private addresses are allowed. */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return refusedV4(ip);
  if (family === 6) return refusedV6(ip);
  return true;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect that refuses private answers (all of them are checked). */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new AddressRefusedError(`${hostname} resolves to ${bad.address}, a private or local address`), '');
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}
