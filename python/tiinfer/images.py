"""Image inputs for model_service.py: TI-ONE's ``{"images": [...]}`` items, each an
http(s) URL, a ``data:image/...;base64,...`` URI or raw base64, under the platform's
policy (the same limits and variables as the Node instance):

- URLs: only http/https; the address DNS answers is checked and then connected to
  (private, loopback, link-local, CGNAT, multicast and reserved addresses are refused
  unless ``MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS=1``); timeout
  ``MODELDOCK_IMAGE_FETCH_TIMEOUT_MS`` (10 s) for the whole fetch, size cap
  ``MODELDOCK_IMAGE_MAX_BYTES`` (20 MiB), at most ``MODELDOCK_IMAGE_MAX_REDIRECTS`` (3)
  redirects, each re-checked; content type ``image/*`` or ``application/octet-stream``.
- decoding (Pillow): at most ``MODELDOCK_IMAGE_MAX_PIXELS`` (40 M) pixels; EXIF
  orientation applied.
- at most ``MODELDOCK_IMAGE_MAX_PER_REQUEST`` (64) images per request.

Every failure raises ``ImageError`` (a ``tiinfer.InputError``: the caller gets a 400)
whose message starts with the failing item, e.g. ``images[2]: not a decodable image``.

    from tiinfer import images
    pics = images.load_images(request)          # list of PIL images, in order
"""
import base64
import binascii
import http.client
import io
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Any, List, Optional

from . import InputError


class ImageError(InputError):
    def __init__(self, message: str, code: str = "INVALID_INPUT"):
        super().__init__(message)
        self.code = code


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        return default


def allow_private() -> bool:
    return os.environ.get("MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS", "") in ("1", "true", "yes")


def _limits():
    return (
        _env_int("MODELDOCK_IMAGE_FETCH_TIMEOUT_MS", 10_000) / 1000.0,
        _env_int("MODELDOCK_IMAGE_MAX_BYTES", 20 * 1024 * 1024),
        _env_int("MODELDOCK_IMAGE_MAX_REDIRECTS", 3),
    )


def image_items(request: Any, key: str = "images") -> List[str]:
    """``request[key]``, checked: a non-empty list of strings within the per-request cap."""
    if not isinstance(request, dict) or key not in request:
        raise ImageError(f'the body must be a JSON object with "{key}": ["<http(s) URL | data URI | base64>", ...]')
    items = request[key]
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not items:
        raise ImageError(f'"{key}" must be a non-empty list of images')
    cap = _env_int("MODELDOCK_IMAGE_MAX_PER_REQUEST", 64)
    if len(items) > cap:
        raise ImageError(f'"{key}" holds {len(items)} images; at most {cap} per request')
    for i, it in enumerate(items):
        if not isinstance(it, str) or not it:
            raise ImageError(f"{key}[{i}]: must be a URL, a data URI or base64 text")
    return items


# ---- bytes ------------------------------------------------------------------------------

_B64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")


def _b64(text: str, where: str) -> bytes:
    s = re.sub(r"\s+", "", text)
    if not _B64.match(s):
        raise ImageError(f"{where}: not an http(s) URL, a data: URI or base64")
    s += "=" * (-len(s) % 4)
    try:
        return base64.urlsafe_b64decode(s) if ("-" in s or "_" in s) else base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ImageError(f"{where}: bad base64 ({e})") from None


def load_bytes(item: str, where: str = "images[0]") -> bytes:
    """The bytes of one item (URL fetched, data URI or base64 decoded)."""
    head = item[:12].lower()
    if head.startswith(("http://", "https://")):
        return fetch(item, where)
    if head.startswith("data:"):
        meta, sep, payload = item.partition(",")
        if not sep or ";base64" not in meta.lower():
            raise ImageError(f"{where}: a data: URI must be data:image/...;base64,...")
        return _b64(payload, where)
    data = _b64(item, where)
    max_bytes = _limits()[1]
    if len(data) > max_bytes:
        raise ImageError(f"{where}: the image is {len(data)} bytes, above the {max_bytes} cap")
    return data


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIIT = ipaddress.ip_network("::ffff:0:0:0/96")


def _embedded_v4(ip: ipaddress.IPv6Address) -> List[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, SIIT, NAT64 (RFC 6052), 6to4, Teredo."""
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip in _NAT64 or ip in _SIIT:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)
    return []


def _allowed(addr: str) -> bool:
    """Whether an address may be fetched: global, not multicast, and (for IPv6) carrying no refused IPv4."""
    ip = ipaddress.ip_address(addr.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if int(ip) >> 32 == 0:
            return False  # ::/96: unspecified, loopback, IPv4-compatible (deprecated): routes nowhere a fetch should go
        inner = _embedded_v4(ip)
        if inner:
            return all(_allowed(str(v4)) for v4 in inner)
    return ip.is_global and not ip.is_multicast


class _HTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _HTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


_DNS_TIMEOUT_S = 3.0  # as the Node instance's DNS_TIMEOUT_MS


def _getaddrinfo(host: str, port: int):
    """socket.getaddrinfo, given up on (TimeoutError) after _DNS_TIMEOUT_S: it has no timeout of its own."""
    box: dict = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as e:  # noqa: BLE001 (handed to the caller)
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(_DNS_TIMEOUT_S)
    if t.is_alive():
        raise TimeoutError()
    if "error" in box:
        raise box["error"]
    return box["infos"]


def _resolve(host: str, port: int, where: str) -> str:
    if re.search(r"(^|\.)invalid\.?$", host, re.I):  # RFC 6761: never resolves; no DNS server asked
        raise ImageError(f"{where}: {host} does not resolve (a .invalid name never does)", "IMAGE_FETCH_FAILED")
    try:
        infos = _getaddrinfo(host, port)
    except TimeoutError:
        raise ImageError(f"{where}: {host} could not be resolved (no DNS answer within {_DNS_TIMEOUT_S:g} s; retry)", "IMAGE_FETCH_FAILED") from None
    except socket.gaierror as e:
        raise ImageError(f"{where}: {host} does not resolve ({e.strerror})", "IMAGE_FETCH_FAILED") from None
    except OSError as e:
        raise ImageError(f"{where}: {host} could not be resolved ({e})", "IMAGE_FETCH_FAILED") from None
    if not infos:
        raise ImageError(f"{where}: {host} does not resolve (no address)", "IMAGE_FETCH_FAILED")
    addr = str(infos[0][4][0])
    if not allow_private() and not _allowed(addr):
        raise ImageError(
            f"{where}: {host} resolves to {addr}, a private, loopback or link-local address; refused (set MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS=1 to allow)",
            "IMAGE_ADDRESS_REFUSED",
        )
    return addr


def fetch(url: str, where: str = "images[0]") -> bytes:
    timeout, max_bytes, max_redirects = _limits()
    deadline = time.monotonic() + timeout
    for _hop in range(max_redirects + 1):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ImageError(f"{where}: only http(s) URLs are fetched, not {url[:80]}", "IMAGE_FETCH_FAILED")
        port = u.port or (443 if u.scheme == "https" else 80)
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ip = _resolve(u.hostname, port, where)
        conn = (_HTTPS if u.scheme == "https" else _HTTP)(u.hostname, port, ip, left)
        try:
            target = (u.path or "/") + (f"?{u.query}" if u.query else "")
            conn.request("GET", target, headers={"User-Agent": "modeldock-tiinfer", "Accept": "image/*"})
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308) and resp.getheader("location"):
                url = urllib.parse.urljoin(url, resp.getheader("location"))
                continue
            if resp.status != 200:
                raise ImageError(f"{where}: fetching {url} answered HTTP {resp.status}", "IMAGE_FETCH_FAILED")
            ctype = (resp.getheader("content-type") or "").split(";")[0].strip().lower()
            if ctype and not ctype.startswith("image/") and ctype != "application/octet-stream":
                raise ImageError(f"{where}: {url} is {ctype}, not an image", "IMAGE_FETCH_FAILED")
            length = resp.getheader("content-length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ImageError(f"{where}: the image is {length} bytes, above the {max_bytes} bytes cap (MODELDOCK_IMAGE_MAX_BYTES)", "IMAGE_FETCH_FAILED")
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise ImageError(f"{where}: fetching {url} took longer than {timeout:g} s", "IMAGE_FETCH_FAILED")
                chunk = resp.read(65536)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > max_bytes:
                    raise ImageError(f"{where}: the image is over {max_bytes} bytes, above the cap (MODELDOCK_IMAGE_MAX_BYTES)", "IMAGE_FETCH_FAILED")
                chunks.append(chunk)
        except ImageError:
            raise
        except (OSError, http.client.HTTPException) as e:
            what = "took longer than %g s" % timeout if isinstance(e, socket.timeout) else f"failed ({e})"
            raise ImageError(f"{where}: fetching {url} {what}", "IMAGE_FETCH_FAILED") from None
        finally:
            conn.close()
    raise ImageError(f"{where}: more than {max_redirects} redirects, or past the {timeout:g} s timeout", "IMAGE_FETCH_FAILED")


# ---- decoding -----------------------------------------------------------------------------


def decode(data: bytes, where: str = "images[0]", mode: Optional[str] = None):
    """Bytes -> a PIL image (EXIF orientation applied; converted to ``mode`` when given)."""
    from PIL import Image, ImageOps

    max_pixels = _env_int("MODELDOCK_IMAGE_MAX_PIXELS", 40_000_000)
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > max_pixels:
            raise ImageError(f"{where}: {img.width}x{img.height} is above the {max_pixels} pixels cap", "IMAGE_DECODE_FAILED")
        img.load()
        img = ImageOps.exif_transpose(img)
        return img.convert(mode) if mode and img.mode != mode else img
    except ImageError:
        raise
    except Image.UnidentifiedImageError:
        raise ImageError(f"{where}: not a decodable image (unknown format)", "IMAGE_DECODE_FAILED") from None
    except Exception as e:  # noqa: BLE001 (Pillow raises many kinds)
        raise ImageError(f"{where}: not a decodable image ({e})", "IMAGE_DECODE_FAILED") from None


def load_image(item: str, where: str = "images[0]", mode: Optional[str] = None):
    return decode(load_bytes(item, where), where, mode)


def load_images(request: Any, key: str = "images", mode: Optional[str] = None) -> list:
    """Every image of ``request[key]``, decoded, in order."""
    return [load_image(it, f"{key}[{i}]", mode) for i, it in enumerate(image_items(request, key))]
