/**
 * Watches the raw bytes of a WebSocket connection for data frames larger than
 * API Gateway's 32 KB frame quota. `ws` only limits whole messages
 * (`maxPayload`), so this reads frame headers alongside it: it never changes
 * the bytes, it only reports the first oversize frame.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export class FrameSizeWatcher {
  private header = Buffer.alloc(0);
  private remainingPayload = 0;
  private tripped = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onOversize: (length: number) => void,
  ) {}

  feed(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.tripped) {
      if (this.remainingPayload > 0) {
        const take = Math.min(this.remainingPayload, chunk.length - offset);
        this.remainingPayload -= take;
        offset += take;
        continue;
      }
      // Gather just enough bytes for a complete header.
      const needed = this.headerLength();
      const take = Math.min(chunk.length - offset, Math.max(needed - this.header.length, 1));
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length < this.headerLength()) continue;
      const opcode = this.header[0]! & 0x0f;
      const length = this.payloadLength();
      this.header = Buffer.alloc(0);
      this.remainingPayload = length;
      // Control frames (opcode >= 8) are limited to 125 bytes by the protocol itself.
      if (opcode < 8 && length > this.maxFrameBytes) {
        this.tripped = true;
        this.onOversize(length);
      }
    }
  }

  /** Header size known so far: 2 bytes, plus extended length, plus the mask. */
  private headerLength(): number {
    if (this.header.length < 2) return 2;
    const len7 = this.header[1]! & 0x7f;
    const masked = (this.header[1]! & 0x80) !== 0;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  }

  private payloadLength(): number {
    const len7 = this.header[1]! & 0x7f;
    if (len7 === 126) return this.header.readUInt16BE(2);
    if (len7 === 127) return Number(this.header.readBigUInt64BE(2));
    return len7;
  }
}
