/**
 * Fetches an image URL under the policy: http(s) only, every redirect hop re-checked
 * (scheme, address) up to `maxRedirects`, a timeout over the whole fetch, a byte cap
 * (Content-Length and streamed), and a content type of image/* (or octet-stream).
 */
import net from 'node:net';
import { Agent, request } from 'undici';
import { DomainError } from '../../contracts/errors.js';
import { AddressRefusedError, DNS_TIMEOUT_MS, guardedLookup, isPrivateAddress, type Resolve } from './address-policy.js';
import type { ImagePolicy } from './image-policy.js';

/** One keep-alive agent per (resolver, private allowed or not, DNS timeout). */
const agents = new Map<Resolve | undefined, Map<string, Agent>>();
function agentFor(policy: ImagePolicy): Agent {
  const { allowPrivateAddresses: allowPrivate, resolve, dnsTimeoutMs = DNS_TIMEOUT_MS } = policy;
  let byResolver = agents.get(resolve);
  if (!byResolver) agents.set(resolve, (byResolver = new Map()));
  const key = `${allowPrivate}:${dnsTimeoutMs}`;
  let a = byResolver.get(key);
  if (!a) {
    a = new Agent({ connect: { lookup: guardedLookup(allowPrivate, resolve, dnsTimeoutMs) as never }, keepAliveTimeout: 4_000 });
    byResolver.set(key, a);
  }
  return a;
}

const refused = (where: string, msg: string) =>
  new DomainError('IMAGE_ADDRESS_REFUSED', `${where}: ${msg}; private, loopback and link-local addresses are not fetched`);
const failed = (where: string, msg: string) => new DomainError('IMAGE_FETCH_FAILED', `${where}: ${msg}`);

function checkUrl(raw: string, where: string, policy: ImagePolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw failed(where, `"${raw.slice(0, 100)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw failed(where, `only http and https URLs are fetched, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateAddresses && net.isIP(host) && isPrivateAddress(host)) throw refused(where, `${host} is a private or local address`);
  if (!policy.allowPrivateAddresses && (host === 'localhost' || host.endsWith('.localhost'))) throw refused(where, `${host} is a local name`);
  return url;
}

/** The image's bytes, or a 400 DomainError naming `where` (e.g. `images[2]`). */
export async function fetchImage(raw: string, where: string, policy: ImagePolicy): Promise<Buffer> {
  const signal = AbortSignal.timeout(policy.fetchTimeoutMs);
  let url = checkUrl(raw, where, policy);
  for (let hop = 0; ; hop++) {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, { method: 'GET', dispatcher: agentFor(policy), signal, headers: { accept: 'image/*' } });
    } catch (e) {
      throw fetchError(e, where, url, policy);
    }
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      res.body.resume();
      if (hop >= policy.maxRedirects) throw failed(where, `more than ${policy.maxRedirects} redirects`);
      url = checkUrl(new URL(String(res.headers.location), url).toString(), where, policy);
      continue;
    }
    if (res.statusCode !== 200) {
      res.body.resume();
      throw failed(where, `${url.host} answered HTTP ${res.statusCode}`);
    }
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (type && !type.startsWith('image/') && type !== 'application/octet-stream' && type !== 'binary/octet-stream') {
      res.body.resume();
      throw failed(where, `content type "${type}" is not an image`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > policy.maxImageBytes) {
      res.body.destroy();
      throw failed(where, `the image is ${declared} bytes, over the limit of ${policy.maxImageBytes}`);
    }
    return readCapped(res.body, where, policy, url);
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }, where: string, policy: ImagePolicy, url: URL): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of body) {
      size += c.length;
      if (size > policy.maxImageBytes) {
        body.destroy();
        throw failed(where, `the image is over the limit of ${policy.maxImageBytes} bytes`);
      }
      chunks.push(c);
    }
  } catch (e) {
    throw fetchError(e, where, url, policy);
  }
  return Buffer.concat(chunks);
}

function fetchError(e: unknown, where: string, url: URL, policy: ImagePolicy): DomainError {
  if (e instanceof DomainError) return e;
  const err = e as Error & { cause?: unknown; code?: string };
  if (err instanceof AddressRefusedError || err.cause instanceof AddressRefusedError || err.code === 'MODELDOCK_ADDRESS_REFUSED') {
    return refused(where, (err.cause instanceof AddressRefusedError ? err.cause : err).message);
  }
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return failed(where, `fetching ${url.host} took longer than ${policy.fetchTimeoutMs} ms`);
  const code = err.code ?? (err.cause as { code?: string } | undefined)?.code ?? '';
  const why = NET_ERRORS[code];
  if (why) return failed(where, `${url.hostname} ${why} (${code})`);
  return failed(where, `fetching ${url.host} failed: ${code} ${err.message}`.replace(/\s+/g, ' '));
}

/** Network failures in words that name what to fix; the code is kept in the message. */
const NET_ERRORS: Record<string, string> = {
  ENOTFOUND: 'does not resolve: no such host',
  ENODATA: 'does not resolve: the name has no address',
  EAI_AGAIN: 'could not be resolved: the DNS server did not answer in time; retry',
  EAI_FAIL: 'could not be resolved: the DNS server failed',
  ECONNREFUSED: 'refused the connection',
  EHOSTUNREACH: 'is not reachable: no route to the host',
  ENETUNREACH: 'is not reachable: no route to its network',
};
