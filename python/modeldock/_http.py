"""The SDK's transport: urllib only (standard library), a token, a timeout, and one error.

Every failure is a ModeldockError carrying the platform's stable code (docs/errors.md) and
the HTTP status, or a client-side code with status 0 when no answer came: UNREACHABLE,
TIMEOUT, TRANSPORT, INVALID_RESPONSE.
"""
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_TIMEOUT_S = 60.0


class ModeldockError(Exception):
    """An error answer of the platform (code + HTTP status), or a call that got no answer (status 0)."""

    def __init__(self, code, status, message, details=None, id=None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.details = details
        self.id = id

    def __repr__(self):
        return "ModeldockError(%r, %r, %r)" % (self.code, self.status, self.message)


def error_from_answer(status, body, where):
    """The error an answer of status >= 400 carries: both the control plane's and the /v2 routes' shapes."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        err = parsed.get("error")
        if isinstance(err, str) and "code" in parsed:
            return ModeldockError(parsed["code"], status, err, parsed.get("details"), parsed.get("id"))
        if isinstance(err, dict) and err.get("code"):
            return ModeldockError(err["code"], status, err.get("message", ""), err.get("details"), err.get("id"))
    return ModeldockError("HTTP_%d" % status, status, "%s answered %d%s" % (where, status, (": " + text[:200]) if text else ""))


def encode_path(p):
    """A `/`-separated path, each segment URL-encoded."""
    return "/".join(urllib.parse.quote(s, safe="") for s in p.split("/") if s)


def seg(s):
    return urllib.parse.quote(str(s), safe="")


class Response:
    """An answer: status, headers (lower-case names) and, unless streamed, its bytes."""

    def __init__(self, status, headers, body=None, stream=None):
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream

    def json(self):
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise ModeldockError("INVALID_RESPONSE", self.status, "the answer is not JSON: %r" % self.body[:120])


class Http:
    def __init__(self, base_url, token=None, timeout=DEFAULT_TIMEOUT_S, headers=None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.headers = dict(headers or {})
        # no proxies from the environment: the platform is usually on loopback
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def url(self, path, query=None):
        pairs = []
        for k, v in (query or {}).items():
            if v is None or v == "":
                continue
            for one in v if isinstance(v, (list, tuple)) else [v]:
                pairs.append((k, str(one).lower() if isinstance(one, bool) else str(one)))
        return self.base_url + path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def json(self, method, path, **kw):
        """A JSON call: the parsed answer (None for 204 or an empty body)."""
        return self.request(method, path, **kw).json()

    def request(self, method, path, query=None, json_body=None, data=None, content_type=None, length=None,
                headers=None, timeout=None, token=None, stream=False):
        """Sends a call; raises ModeldockError for status >= 400 or no answer. `data`: bytes or an iterable of bytes (then give `length`)."""
        h = {"accept": "application/json"}
        h.update(self.headers)
        tok = token or self.token
        if tok:
            h["authorization"] = "Bearer " + tok
        h.update(headers or {})
        body = data
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            h["content-type"] = "application/json"
        elif data is not None:
            h["content-type"] = content_type or "application/octet-stream"
            if length is not None:
                h["content-length"] = str(length)
        req = urllib.request.Request(self.url(path, query), data=body, method=method, headers=h)
        t = self.timeout if timeout is None else timeout
        where = "%s %s" % (method, path)
        try:
            res = self._opener.open(req, timeout=t or None)
        except urllib.error.HTTPError as e:
            raise error_from_answer(e.code, e.read(), where) from None
        except (socket.timeout, TimeoutError):
            raise ModeldockError("TIMEOUT", 0, "%s did not answer within %s s" % (self.base_url, t)) from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise ModeldockError("TIMEOUT", 0, "%s did not answer within %s s" % (self.base_url, t)) from None
            if isinstance(reason, (ConnectionRefusedError, socket.gaierror)):
                raise ModeldockError("UNREACHABLE", 0, "cannot reach modeldock at %s (%s): start the platform with `modeldock up`" % (self.base_url, reason)) from None
            raise ModeldockError("TRANSPORT", 0, "%s: %s" % (self.base_url, reason)) from None
        except ConnectionError as e:
            raise ModeldockError("TRANSPORT", 0, "%s: %s" % (self.base_url, e)) from None
        headers_out = {k.lower(): v for k, v in res.headers.items()}
        if stream:
            return Response(res.status, headers_out, stream=res)
        with res:
            return Response(res.status, headers_out, body=res.read())


def poll_until(fn, what, timeout_s, every_s=0.5):
    """Calls fn until it answers something other than None, for at most timeout_s."""
    until = time.monotonic() + timeout_s
    while True:
        v = fn()
        if v is not None:
            return v
        if time.monotonic() >= until:
            raise ModeldockError("TIMEOUT", 0, "timed out after %s s waiting for %s" % (timeout_s, what))
        time.sleep(every_s)
