// A response body assembled in one Buffer: event parts are written straight into it, which avoids
// building, flattening and re-encoding a multi-megabyte string per page (the dominant cost).

export class PageBuffer {
  private buf: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  /** Appends a string known to be ASCII (one byte per character). */
  ascii(s: string): void {
    this.ensure(s.length);
    this.length += this.buf.write(s, this.length, "latin1");
  }

  /** Appends any string as UTF-8. */
  utf8(s: string): void {
    this.ensure(Buffer.byteLength(s));
    this.length += this.buf.write(s, this.length, "utf8");
  }

  text(s: string, asciiOnly: boolean): void {
    if (asciiOnly) this.ascii(s);
    else this.utf8(s);
  }

  /** Drops everything written after `length` (an event that would overflow the page). */
  truncate(length: number): void {
    this.length = length;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
