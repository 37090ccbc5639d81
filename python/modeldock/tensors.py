"""OIP v2 binary tensor data (KServe / Triton extension) with the standard library.

A request body is the JSON infer request (its length in the Inference-Header-Content-Length
header) followed by each binary input's raw bytes: little-endian, row-major; FP16 as IEEE
half (struct's ``e``); BOOL one byte; BYTES each element a 4-byte length and its bytes.
"""
import json
import struct

HEADER_LENGTH = "inference-header-content-length"

_FORMATS = {
    "BOOL": "?", "UINT8": "B", "INT8": "b", "UINT16": "H", "INT16": "h", "FP16": "e",
    "UINT32": "I", "INT32": "i", "FP32": "f", "UINT64": "Q", "INT64": "q", "FP64": "d",
}


def _flat(values):
    out = []
    stack = [values]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        else:
            out.append(v)
    return out


def tensor_bytes(datatype, data):
    """The raw bytes of a tensor's values (nested lists are flattened row-major; bytes pass as they are)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    values = _flat(data)
    if datatype == "BYTES":
        parts = [v if isinstance(v, bytes) else str(v).encode("utf-8") for v in values]
        return b"".join(struct.pack("<I", len(p)) + p for p in parts)
    return struct.pack("<%d%s" % (len(values), _FORMATS[datatype]), *values)


def decode_tensor(datatype, raw):
    """Raw little-endian bytes → a flat list of values (str for BYTES)."""
    if datatype == "BYTES":
        out, at = [], 0
        while at + 4 <= len(raw):
            (n,) = struct.unpack_from("<I", raw, at)
            out.append(raw[at + 4:at + 4 + n].decode("utf-8", "replace"))
            at += 4 + n
        return out
    fmt = _FORMATS[datatype]
    return list(struct.unpack("<%d%s" % (len(raw) // struct.calcsize(fmt), fmt), raw))


def pack_infer(request):
    """An infer request whose inputs all carry `data` → (body bytes, JSON part length), every input binary."""
    parts, inputs = [], []
    for i in request["inputs"]:
        raw = tensor_bytes(i["datatype"], i["data"])
        parts.append(raw)
        head = {k: v for k, v in i.items() if k != "data"}
        head["parameters"] = dict(i.get("parameters") or {}, binary_data_size=len(raw))
        inputs.append(head)
    head = json.dumps(dict(request, inputs=inputs)).encode("utf-8")
    return head + b"".join(parts), len(head)


def unpack_infer(body, header_length):
    """An answer → its JSON with each binary output's `data` decoded (header_length None: all JSON)."""
    n = len(body) if header_length is None else int(header_length)
    answer = json.loads(body[:n].decode("utf-8"))
    at = n
    for o in answer.get("outputs", []):
        size = (o.get("parameters") or {}).get("binary_data_size")
        if size is None or "data" in o:
            continue
        o["data"] = decode_tensor(o["datatype"], body[at:at + size])
        at += size
    return answer
