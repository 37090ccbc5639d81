import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DomainError } from '../../contracts/errors.js';
import { guardedLookup, isPrivateAddress, type Resolve } from './address-policy.js';
import { createImageHelpers } from './image-helpers.js';
import { DEFAULT_IMAGE_POLICY, type ImagePolicy } from './image-policy.js';
import { imageBytes } from './image-source.js';

const allow: ImagePolicy = { ...DEFAULT_IMAGE_POLICY, allowPrivateAddresses: true, fetchTimeoutMs: 2_000, maxImageBytes: 100_000 };
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: DomainError) => `${e.code} ${e.message}`,
  );

describe('address policy', () => {
  it('refuses private, loopback, link-local, metadata and mapped addresses; allows public ones', () => {
    const refused = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
    ];
    const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'];
    expect(refused.filter((ip) => !isPrivateAddress(ip))).toEqual([]);
    expect(allowed.filter((ip) => isPrivateAddress(ip))).toEqual([]);
  });

  // Each refused IPv4 range, bare and in every IPv6 form that carries an IPv4 address.
  const v4Refused = [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '240.0.0.1',
    '192.0.2.7',
    '198.51.100.7',
    '203.0.113.7',
    '198.18.0.1',
  ];
  const embeddings: [string, (v4: string) => string][] = [
    ['bare', (v4) => v4],
    ['IPv4-mapped', (v4) => `::ffff:${v4}`],
    ['IPv4-mapped, hex', (v4) => `::ffff:${hex(v4)}`],
    ['IPv4-mapped, long form', (v4) => `0:0:0:0:0:ffff:${v4}`],
    ['IPv4-compatible', (v4) => `::${v4}`],
    ['IPv4-compatible, hex', (v4) => `::${hex(v4)}`],
    ['IPv4-translated (SIIT)', (v4) => `::ffff:0:${v4}`],
    ['NAT64 well-known prefix', (v4) => `64:ff9b::${v4}`],
    ['NAT64, hex', (v4) => `64:ff9b::${hex(v4)}`],
    ['6to4', (v4) => `2002:${hex(v4)}::1`],
  ];
  it.each(embeddings)('refuses every refused IPv4 range %s', (_name, form) => {
    expect(v4Refused.map(form).filter((ip) => !isPrivateAddress(ip))).toEqual([]);
    // a public address in the same form is fetched (IPv4-compatible forms route nowhere: refused)
    const pub = form('8.8.8.8');
    expect([pub, isPrivateAddress(pub)]).toEqual([pub, _name.startsWith('IPv4-compatible')]);
  });

  it('refuses IPv6 loopback, unspecified, link-local, unique-local, multicast, documentation and local NAT64', () => {
    const refused = [
      '::1',
      '0:0:0:0:0:0:0:1',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      'febf::1',
      'fc00::1',
      'fdff::1',
      'ff02::1',
      'fec0::1',
      '2001:db8::1',
      '64:ff9b:1::7f00:1',
      '100::1',
      '2001:0:7f00:1::1',
    ];
    expect(refused.filter((ip) => !isPrivateAddress(ip))).toEqual([]);
    const allowed = ['2606:4700:4700::1111', '2a00:1450:4001::200e', '64:ff9b::808:808', '2002:808:808::1'];
    expect(allowed.filter((ip) => isPrivateAddress(ip))).toEqual([]);
  });

  it('checks what DNS answers, inside the socket lookup', async () => {
    const err = await new Promise<Error | null>((resolve) => guardedLookup(false)('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/localhost resolves to .*private or local/);
    const ok = await new Promise<Error | null>((resolve) => guardedLookup(true)('localhost', {}, (e) => resolve(e)));
    expect(ok).toBeNull();
  });
});

/** `a.b.c.d` as two hex words, `7f00:1`. */
const hex = (v4: string): string => {
  const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
};

/** A resolver that answers from a table and never asks a DNS server; unknown names are ENOTFOUND. */
function stubResolver(table: Record<string, string[] | NodeJS.ErrnoException>): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = (hostname: string, _o: unknown, cb: (err: NodeJS.ErrnoException | null, a: { address: string; family: number }[]) => void) => {
    asked.push(hostname);
    if (hostname.startsWith('silent.')) return; // a DNS server that never answers
    const a = table[hostname] ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    queueMicrotask(() =>
      a instanceof Error
        ? cb(a, [])
        : cb(
            null,
            a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
          ),
    );
  };
  return Object.assign(resolve, { asked });
}

describe('image hosts that do not resolve, or resolve to nothing routable', () => {
  const eagain = Object.assign(new Error('getaddrinfo EAI_AGAIN slow.invalid'), { code: 'EAI_AGAIN' });
  const resolver = stubResolver({
    'empty.invalid': [],
    'loop.invalid': ['127.0.0.1'],
    'nat64-loop.invalid': ['64:ff9b::7f00:1'],
    'compat-loop.invalid': ['::127.0.0.1'],
    'mixed.invalid': ['8.8.8.8', '10.0.0.1'],
    'doc.invalid': ['192.0.2.1'],
    'slow.invalid': eagain,
  });
  // a 5 s fetch timeout, and names answered within 300 ms or not at all
  const policy: ImagePolicy = { ...DEFAULT_IMAGE_POLICY, fetchTimeoutMs: 5_000, dnsTimeoutMs: 300, resolve: resolver };

  it.each([
    ['no such host', 'http://nowhere.invalid/cat.jpg', /^IMAGE_FETCH_FAILED images\[0\]: nowhere\.invalid does not resolve: no such host \(ENOTFOUND\)$/],
    ['no address at all', 'http://empty.invalid/cat.jpg', /^IMAGE_FETCH_FAILED images\[0\]: empty\.invalid does not resolve/],
    ['DNS failing for now', 'https://slow.invalid/cat.jpg', /^IMAGE_FETCH_FAILED images\[0\]: slow\.invalid could not be resolved: .*retry \(EAI_AGAIN\)$/],
    [
      'DNS never answering',
      'http://silent.invalid/cat.jpg',
      /^IMAGE_FETCH_FAILED images\[0\]: silent\.invalid could not be resolved: the DNS server did not answer in time; retry \(EAI_AGAIN\)$/,
    ],
    ['loopback', 'http://loop.invalid:9/cat.jpg', /^IMAGE_ADDRESS_REFUSED images\[0\]: loop\.invalid resolves to 127\.0\.0\.1/],
    ['loopback via NAT64', 'http://nat64-loop.invalid/cat.jpg', /^IMAGE_ADDRESS_REFUSED images\[0\]: nat64-loop\.invalid resolves to 64:ff9b::7f00:1/],
    ['loopback, IPv4-compatible', 'http://compat-loop.invalid/cat.jpg', /^IMAGE_ADDRESS_REFUSED images\[0\]: compat-loop\.invalid resolves to ::127\.0\.0\.1/],
    ['one private answer among public ones', 'http://mixed.invalid/cat.jpg', /^IMAGE_ADDRESS_REFUSED images\[0\]: mixed\.invalid resolves to 10\.0\.0\.1/],
    ['a documentation address (routes nowhere)', 'http://doc.invalid/cat.jpg', /^IMAGE_ADDRESS_REFUSED images\[0\]: doc\.invalid resolves to 192\.0\.2\.1/],
  ])('%s: fails at once with a code and the host named', async (_name, url, want) => {
    const t0 = performance.now();
    expect(await code(imageBytes(url, 'images[0]', policy))).toMatch(want);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(resolver.asked).toContain(new URL(url).hostname);
  });

  it('answers .invalid names at once without asking DNS, with the system resolver too (RFC 6761)', async () => {
    const lookup = vi.spyOn(dns, 'lookup').mockImplementation(() => {
      throw new Error('no DNS server may be asked for a .invalid name');
    });
    try {
      expect(await code(imageBytes('http://cat.photos.invalid/cat.jpg', 'images[2]', DEFAULT_IMAGE_POLICY))).toBe(
        'IMAGE_FETCH_FAILED images[2]: cat.photos.invalid does not resolve: no such host (ENOTFOUND)',
      );
      expect(lookup).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
    }
  });

  it('refuses literal embedded-loopback URLs before any lookup', async () => {
    for (const host of ['[::127.0.0.1]', '[::ffff:127.0.0.1]', '[64:ff9b::7f00:1]', '[::7f00:1]']) {
      const before = resolver.asked.length;
      expect(await code(imageBytes(`http://${host}:1/x.png`, 'images[1]', policy))).toMatch(/^IMAGE_ADDRESS_REFUSED images\[1\]: /);
      expect(resolver.asked.length).toBe(before);
    }
  });
});

describe('image items', () => {
  let server: http.Server;
  let base = '';
  let png: Buffer;
  beforeAll(async () => {
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    server = http.createServer((req, res) => {
      const u = req.url ?? '';
      if (u === '/img.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else if (u === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      else if (u === '/big') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(200_000));
      else if (u === '/chunked-big') {
        res.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000));
        res.end();
      } else if (u.startsWith('/hop/')) {
        const n = Number(u.slice(5));
        res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : '/img.png' }).end();
      } else if (u === '/to-file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      else if (u === '/missing') res.writeHead(404).end();
      else if (u === '/hang') res.writeHead(200, { 'content-type': 'image/png' }); // never ends
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('takes a URL, a data URI and raw base64', async () => {
    expect((await imageBytes(`${base}/img.png`, 'images[0]', allow)).equals(png)).toBe(true);
    expect((await imageBytes(`data:image/png;base64,${png.toString('base64')}`, 'images[1]', allow)).equals(png)).toBe(true);
    expect((await imageBytes(png.toString('base64'), 'images[2]', allow)).equals(png)).toBe(true);
  });

  it('refuses loopback URLs unless the policy allows private addresses', async () => {
    expect(await code(imageBytes(`${base}/img.png`, 'images[3]', DEFAULT_IMAGE_POLICY))).toMatch(/^IMAGE_ADDRESS_REFUSED images\[3\]: 127.0.0.1/);
    expect(await code(imageBytes('http://169.254.169.254/latest/meta-data', 'images[0]', DEFAULT_IMAGE_POLICY))).toMatch(/^IMAGE_ADDRESS_REFUSED/);
    expect(await code(imageBytes('http://localhost:1/x.png', 'images[0]', DEFAULT_IMAGE_POLICY))).toMatch(/^IMAGE_ADDRESS_REFUSED/);
  });

  it('follows redirects up to the cap, re-checking each hop', async () => {
    expect(await code(imageBytes(`${base}/hop/2`, 'images[0]', allow))).toBe('ok');
    expect(await code(imageBytes(`${base}/hop/5`, 'images[4]', allow))).toMatch(/^IMAGE_FETCH_FAILED images\[4\]: more than 3 redirects/);
    expect(await code(imageBytes(`${base}/to-file`, 'images[0]', allow))).toMatch(/only http and https/);
  });

  it('enforces content type, size caps, status and the timeout', async () => {
    expect(await code(imageBytes(`${base}/page`, 'images[0]', allow))).toMatch(/content type "text\/html" is not an image/);
    expect(await code(imageBytes(`${base}/big`, 'images[0]', allow))).toMatch(/over the limit of 100000/);
    expect(await code(imageBytes(`${base}/chunked-big`, 'images[0]', allow))).toMatch(/over the limit of 100000/);
    expect(await code(imageBytes(`${base}/missing`, 'images[0]', allow))).toMatch(/answered HTTP 404/);
    expect(await code(imageBytes(`${base}/hang`, 'images[0]', { ...allow, fetchTimeoutMs: 200 }))).toMatch(/took longer than 200 ms/);
  });

  it('names the bad item for broken base64, data URIs and undecodable bytes', async () => {
    const h = createImageHelpers(allow);
    const p = {
      width: 4,
      height: 4,
      resize: 'fill' as const,
      channels: 'RGB' as const,
      layout: 'NCHW' as const,
      dtype: 'FP32' as const,
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    };
    expect(await code(h.tensor([png.toString('base64'), 'no base64 here!'], p))).toMatch(/^IMAGE_DECODE_FAILED images\[1\]: .*not valid base64/);
    expect(await code(h.tensor(['data:text/plain;base64,aGk=', png.toString('base64')], p))).toMatch(/^IMAGE_DECODE_FAILED images\[0\]: .*not an image/);
    expect(await code(h.tensor([png.toString('base64'), png.toString('base64'), Buffer.from('hello world').toString('base64')], p))).toMatch(
      /^IMAGE_DECODE_FAILED images\[2\]: not a decodable image/,
    );
    expect(await code(h.tensor([42], p))).toMatch(/^INVALID_INPUT images\[0\]/);
  });

  it('refuses images over the pixel cap (decompression bombs) and decodes good ones into tensors', async () => {
    const h = createImageHelpers({ ...allow, maxPixels: 50 });
    const p = {
      width: 2,
      height: 2,
      resize: 'fill' as const,
      channels: 'BGR' as const,
      layout: 'NCHW' as const,
      dtype: 'FP32' as const,
      scale: 1,
      mean: [10, 0, 0],
      std: [1, 1, 2],
    };
    expect(await code(h.tensor([png.toString('base64')], p))).toMatch(/more than 50 pixels/);
    const ok = await createImageHelpers(allow).tensor([png.toString('base64')], p);
    expect(ok.shape).toEqual([1, 3, 2, 2]);
    // red image in BGR: B = 0 − 10, G = 0, R = 255 / 2
    expect([...ok.data]).toEqual([-10, -10, -10, -10, 0, 0, 0, 0, 127.5, 127.5, 127.5, 127.5]);
  });
});
