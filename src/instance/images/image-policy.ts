/** Limits on image inputs: fetch timeout, sizes, redirects, pixels, and the address policy. */
import type { Resolve } from './address-policy.js';

export interface ImagePolicy {
  /** allow URLs that resolve to private / loopback / link-local addresses */
  allowPrivateAddresses: boolean;
  fetchTimeoutMs: number;
  maxImageBytes: number;
  maxRedirects: number;
  /** decoded width × height above which an image is refused (decompression bombs) */
  maxPixels: number;
  /** images in one request */
  maxImagesPerRequest: number;
  /** how image hosts are resolved (default: the system's dns.lookup); tests pass a stub */
  resolve?: Resolve;
  /** how long a name may take to resolve (default DNS_TIMEOUT_MS, 3 s) */
  dnsTimeoutMs?: number;
}

export const DEFAULT_IMAGE_POLICY: Readonly<ImagePolicy> = Object.freeze({
  allowPrivateAddresses: false,
  fetchTimeoutMs: 10_000,
  maxImageBytes: 20 * 1024 * 1024,
  maxRedirects: 3,
  maxPixels: 40_000_000,
  maxImagesPerRequest: 64,
});
