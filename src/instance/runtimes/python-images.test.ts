/**
 * tiinfer.images (the TI-ONE predict path of Python packages) on real /usr/bin/python3
 * workers: image hosts that do not resolve or resolve to nothing routable fail at once with
 * a stable code naming the host, and every IPv6 form of a refused IPv4 address is refused.
 * DNS is a stub inside the test's own model_service.py (socket.getaddrinfo replaced, the
 * way a package could), for `.test` names (RFC 6761's names for testing); `.invalid` names
 * are answered before any lookup. Nothing leaves the machine.
 */
import { describe, expect, it } from 'vitest';
import { fixtureServer, packageWith } from '../../../test/instance-harness.js';
import type { DomainError } from '../../contracts/errors.js';
import { PythonRuntime } from './python-runtime.js';

const SERVICE = `import ipaddress, socket, time
import tiinfer
from tiinfer import images

_real = socket.getaddrinfo
TABLE = {
    "loop.test": ["127.0.0.1"],
    "nat64-loop.test": ["64:ff9b::7f00:1"],
    "compat-loop.test": ["::127.0.0.1"],
    "siit-loop.test": ["::ffff:0:7f00:1"],
    "6to4-private.test": ["2002:a00:1::1"],
    "doc.test": ["192.0.2.1"],
    "empty.test": [],
    "files.test": ["127.0.0.1"],
}


def stub(host, port, family=0, type=0, proto=0, flags=0):
    try:
        ipaddress.ip_address(host)
        return _real(host, port, family, type, proto, flags)  # a literal: no DNS asked
    except ValueError:
        pass
    if host == "silent.test":
        time.sleep(30)  # a DNS server that never answers
    if host not in TABLE:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port, 0, 0) if ":" in a else (a, port)) for a in TABLE[host]]


socket.getaddrinfo = stub


class Sizes(tiinfer.Model):
    def predict(self, request):
        return [list(p.size) for p in images.load_images(request)]
`;

async function runtime(env: Record<string, string>): Promise<PythonRuntime> {
  const rt = new PythonRuntime();
  await rt.load({
    modelDir: packageWith({ 'model_service.py': SERVICE }),
    modelName: 'm',
    env: { ...(process.env as Record<string, string>), ...env },
    threads: 1,
    maxBatchSize: 1,
    log: () => undefined,
  });
  return rt;
}

describe('tiinfer.images: hosts that do not resolve or route nowhere', () => {
  it('fails each at once with its code and the host named; a stubbed name that resolves is fetched', async () => {
    const rt = await runtime({ MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '0' });
    const cases: [string, string, RegExp][] = [
      ['http://nowhere.invalid/cat.jpg', 'IMAGE_FETCH_FAILED', /^images\[0\]: nowhere\.invalid does not resolve \(a \.invalid name never does\)$/],
      ['http://nowhere.test/cat.jpg', 'IMAGE_FETCH_FAILED', /^images\[0\]: nowhere\.test does not resolve \(Name or service not known\)$/],
      ['http://empty.test/cat.jpg', 'IMAGE_FETCH_FAILED', /^images\[0\]: empty\.test does not resolve \(no address\)/],
      ['http://loop.test/cat.jpg', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: loop\.test resolves to 127\.0\.0\.1/],
      ['http://nat64-loop.test/cat.jpg', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: nat64-loop\.test resolves to 64:ff9b::7f00:1/],
      ['http://compat-loop.test/cat.jpg', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: compat-loop\.test resolves to ::/],
      ['http://siit-loop.test/cat.jpg', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: siit-loop\.test resolves to ::ffff:0:7f00:1/],
      ['http://6to4-private.test/cat.jpg', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: 6to4-private\.test resolves to 2002:a00:1::1/],
      ['http://doc.test/cat.jpg', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: doc\.test resolves to 192\.0\.2\.1/],
      ['http://silent.test/cat.jpg', 'IMAGE_FETCH_FAILED', /^images\[0\]: silent\.test could not be resolved \(no DNS answer within 3 s; retry\)$/],
      ['http://[::127.0.0.1]:1/cat.jpg', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: ::127\.0\.0\.1 resolves to/],
      ['http://[64:ff9b::a9fe:a9fe]/latest/meta-data/', 'IMAGE_ADDRESS_REFUSED', /^images\[0\]: 64:ff9b::a9fe:a9fe resolves to/],
    ];
    const t0 = performance.now();
    const out = await rt.predict(cases.map(([url]) => ({ images: [url] })));
    expect(out.map((r, i) => [cases[i]![0], (r as DomainError).code])).toEqual(cases.map(([url, code]) => [url, code]));
    out.forEach((r, i) => expect((r as Error).message).toMatch(cases[i]![2]));
    // all at once but the silent name, which waits out the 3 s DNS timeout
    expect(performance.now() - t0).toBeLessThan(6_000);
    await rt.close();

    const files = await fixtureServer();
    const allowed = await runtime({ MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1' });
    const [ok] = await allowed.predict([{ images: [`${files.url.replace('127.0.0.1', 'files.test')}/cat-kserve.jpg`] }]);
    expect(ok).toEqual([[612, 531]]);
    await allowed.close();
    await files.close();
  }, 60_000);
});
