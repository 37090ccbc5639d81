"""Framing between the Node instance process and this worker (one socket, fd 3).

Frame, both directions (little endian)::

    u32 length (of what follows) | u32 id | u8 op | u32 count | count x item
    item: u8 tag | u32 length | bytes

Tags: 0 JSON (UTF-8), 1 pickle (opaque to Node, passed between stages), 2 error (JSON
``{"message", "code", "traceback"?}``). Node -> worker ops: RUN (flags select stages),
EXIT (RUN | 8: the items are OIP v2 infer requests, for KServe packages). Worker -> Node: READY (id 0, one JSON item: the load report, or an error item),
and one answer per request with the same id and one item per input item, in order.
"""
import socket
import struct
from typing import List, Tuple

HEAD = struct.Struct("<IIBI")  # length, id, op, count
ITEM = struct.Struct("<BI")

TAG_JSON = 0
TAG_PICKLE = 1
TAG_ERROR = 2

OP_READY = 0
OP_EXIT = 9
# RUN ops carry the stages in their low bits
STAGE_PRE = 1
STAGE_PREDICT = 2
STAGE_POST = 4
OP_RUN = 16  # OP_RUN | stages
RUN_V2 = 8  # with OP_RUN: the items are OIP v2 requests (KServe packages)

Item = Tuple[int, bytes]


class Channel:
    def __init__(self, fd: int):
        self.sock = socket.socket(fileno=fd)
        self.buf = bytearray()

    def _fill(self, n: int) -> bool:
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def read(self):
        """Answers (id, op, items) or None when Node closed the socket."""
        if not self._fill(4):
            return None
        (length,) = struct.unpack_from("<I", self.buf, 0)
        if not self._fill(4 + length):
            return None
        _, fid, op, count = HEAD.unpack_from(self.buf, 0)
        items: List[Item] = []
        off = HEAD.size
        for _ in range(count):
            tag, n = ITEM.unpack_from(self.buf, off)
            off += ITEM.size
            items.append((tag, bytes(self.buf[off : off + n])))
            off += n
        del self.buf[: 4 + length]
        return fid, op, items

    def write(self, fid: int, op: int, items: List[Item]) -> None:
        parts = []
        size = HEAD.size - 4
        for tag, data in items:
            parts.append(ITEM.pack(tag, len(data)))
            parts.append(data)
            size += ITEM.size + len(data)
        self.sock.sendall(b"".join([HEAD.pack(size, fid, op, len(items)), *parts]))
