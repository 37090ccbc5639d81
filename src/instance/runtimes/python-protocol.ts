/**
 * Framing between the instance process and a Python worker (python/modeldock_worker/protocol.py):
 *
 *   u32 length (of what follows) | u32 id | u8 op | u32 count | count × (u8 tag | u32 length | bytes)
 *
 * little endian, over one socket (the child's fd 3). Tags: JSON, pickle (opaque here, passed
 * between a package's stages), error (JSON `{message, code, traceback?}`).
 */

export const TAG = { json: 0, pickle: 1, error: 2 } as const;
/** `run | v2`: the items are OIP v2 requests (KServe packages) */
export const OP = { ready: 0, exit: 9, run: 16, v2: 8 } as const;
export const STAGE = { pre: 1, predict: 2, post: 4, all: 7 } as const;

export interface Item {
  tag: number;
  data: Buffer;
}

export interface Frame {
  id: number;
  op: number;
  items: Item[];
}

const HEAD = 13; // length u32, id u32, op u8, count u32
const ITEM = 5;

export function encodeFrame(id: number, op: number, items: readonly Item[]): Buffer {
  let size = HEAD;
  for (const it of items) size += ITEM + it.data.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(size - 4, 0);
  out.writeUInt32LE(id, 4);
  out.writeUInt8(op, 8);
  out.writeUInt32LE(items.length, 9);
  let off = HEAD;
  for (const it of items) {
    out.writeUInt8(it.tag, off);
    out.writeUInt32LE(it.data.length, off + 1);
    it.data.copy(out, off + ITEM);
    off += ITEM + it.data.length;
  }
  return out;
}

/** Accumulates socket chunks and yields whole frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 4) {
      const length = this.buf.readUInt32LE(0);
      if (this.buf.length < 4 + length) break;
      const id = this.buf.readUInt32LE(4);
      const op = this.buf.readUInt8(8);
      const count = this.buf.readUInt32LE(9);
      const items: Item[] = [];
      let off = HEAD;
      for (let i = 0; i < count; i++) {
        const tag = this.buf.readUInt8(off);
        const n = this.buf.readUInt32LE(off + 1);
        items.push({ tag, data: this.buf.subarray(off + ITEM, off + ITEM + n) });
        off += ITEM + n;
      }
      frames.push({ id, op, items });
      this.buf = this.buf.subarray(4 + length);
    }
    return frames;
  }
}

export const jsonItem = (value: unknown): Item => ({ tag: TAG.json, data: Buffer.from(JSON.stringify(value) ?? 'null') });

export interface WorkerErrorBody {
  message: string;
  code?: string;
  traceback?: string;
}

export function errorOf(item: Item): WorkerErrorBody {
  try {
    return JSON.parse(item.data.toString('utf8')) as WorkerErrorBody;
  } catch {
    return { message: item.data.toString('utf8') };
  }
}
