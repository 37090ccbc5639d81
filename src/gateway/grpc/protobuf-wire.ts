/**
 * The protobuf wire format, as little of it as the hot messages need (infer-codec.ts):
 * varints (64-bit ones as decimal strings, as proto-loader's `longs: String` gives them),
 * fixed 32/64-bit floats, length-delimited fields, and skipping a field a reader does not
 * know (proto3: a newer client's fields are ignored, not refused). A malformed message
 * throws WireError; grpc-js answers a request that does not decode with INTERNAL ("Error
 * deserializing request"), as it does with proto-loader's codec.
 */

export class WireError extends Error {}

const TWO32 = 4294967296;

export class WireReader {
  at: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.at = start;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  /** A varint of up to 32 bits (tags, lengths, int32, uint32, bool), as an unsigned number. */
  uint32(): number {
    const b = this.buf;
    let v = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new WireError('a varint runs past the end of the message');
      const byte = b[this.at++]!;
      // bits above 32 (a negative int32 is sent sign-extended to 10 bytes) are dropped
      if (shift < 32) v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v % TWO32;
      shift += 7;
    }
    throw new WireError('a varint longer than 10 bytes');
  }

  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    let any = 0;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new WireError('a varint runs past the end of the message');
      const byte = this.buf[this.at++]!;
      any |= byte & 0x7f;
      if (byte < 0x80) return any !== 0;
    }
    throw new WireError('a varint longer than 10 bytes');
  }

  /** A 64-bit varint as its decimal text: unsigned, or signed (`int64`, two's complement). */
  uint64(signed = false): string {
    const b = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new WireError('a varint runs past the end of the message');
      const byte = b[this.at++]!;
      const bits = byte & 0x7f;
      if (i < 4) lo += bits * 2 ** (7 * i);
      else if (i === 4) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >>> 4;
      } else hi += bits * 2 ** (7 * i - 32);
      if (byte < 0x80) {
        hi %= TWO32;
        if (hi === 0) return String(lo);
        const big = (BigInt(hi) << 32n) | BigInt(lo);
        return String(signed ? BigInt.asIntN(64, big) : big);
      }
    }
    throw new WireError('a varint longer than 10 bytes');
  }

  float(): number {
    if (this.at + 4 > this.end) throw new WireError('a float runs past the end of the message');
    const v = this.buf.readFloatLE(this.at);
    this.at += 4;
    return v;
  }

  double(): number {
    if (this.at + 8 > this.end) throw new WireError('a double runs past the end of the message');
    const v = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  /** A length-delimited field's bytes: a view of the message's buffer, not a copy. */
  bytes(): Buffer {
    const n = this.uint32();
    if (this.at + n > this.end) throw new WireError('a field runs past the end of the message');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  string(): string {
    const n = this.uint32();
    if (this.at + n > this.end) throw new WireError('a field runs past the end of the message');
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  /** A reader over a length-delimited field (an embedded message, a packed array). */
  sub(): WireReader {
    const n = this.uint32();
    if (this.at + n > this.end) throw new WireError('a field runs past the end of the message');
    const r = new WireReader(this.buf, this.at, this.at + n);
    this.at += n;
    return r;
  }

  /** Skips a field of wire type `wire` that the reader does not know. */
  skip(wire: number): void {
    if (wire === 0) this.uint64();
    else if (wire === 1) this.at += 8;
    else if (wire === 2) {
      const n = this.uint32();
      this.at += n;
    } else if (wire === 5) this.at += 4;
    else throw new WireError(`wire type ${wire} is not one proto3 uses`);
    if (this.at > this.end) throw new WireError('a field runs past the end of the message');
  }
}

/**
 * A message's bytes, written front to back into chunks (raw tensor bytes are added as
 * they are, not copied until `finish`). Embedded messages are written by `message()`,
 * which encodes the inner one first to learn its length.
 */
export class WireWriter {
  private readonly parts: Buffer[] = [];
  private scratch = Buffer.allocUnsafe(256);
  private used = 0;

  private room(n: number): void {
    if (this.used + n <= this.scratch.length) return;
    this.flushScratch();
    if (n > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(n, 256));
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.parts.push(this.scratch.subarray(0, this.used));
    this.scratch = this.scratch.subarray(this.used);
    this.used = 0;
    if (this.scratch.length < 32) this.scratch = Buffer.allocUnsafe(256);
  }

  varint(v: number): this {
    this.room(10);
    const s = this.scratch;
    let n = v;
    while (n > 0x7f) {
      s[this.used++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    s[this.used++] = n;
    return this;
  }

  /** A 64-bit varint from a bigint (negative: two's complement, 10 bytes). */
  varint64(v: bigint): this {
    let n = BigInt.asUintN(64, v);
    this.room(10);
    const s = this.scratch;
    while (n > 0x7fn) {
      s[this.used++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    s[this.used++] = Number(n);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  float(v: number): this {
    this.room(4);
    this.scratch.writeFloatLE(v, this.used);
    this.used += 4;
    return this;
  }

  double(v: number): this {
    this.room(8);
    this.scratch.writeDoubleLE(v, this.used);
    this.used += 8;
    return this;
  }

  /** A length-delimited field of these bytes (added without a copy). */
  bytesField(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.flushScratch();
    this.parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return this;
  }

  stringField(field: number, s: string): this {
    const n = Buffer.byteLength(s);
    this.tag(field, 2).varint(n);
    this.room(n);
    this.scratch.write(s, this.used, 'utf8');
    this.used += n;
    return this;
  }

  /** An embedded message (or packed array) as field `field`, written by `inner`. */
  message(field: number, inner: (w: WireWriter) => void): this {
    const w = new WireWriter();
    inner(w);
    const b = w.finish();
    return this.bytesField(field, b);
  }

  finish(): Buffer {
    this.flushScratch();
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }
}
