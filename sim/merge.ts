// k-way merge of sorted event sources by (timestamp, ord): a binary heap of cursors. Only the
// cursors live in memory; events are read from their source when emitted.
import type { EventSource, MergeKey } from "./event-source.js";

export interface Cursor {
  readonly src: EventSource;
  i: number;
  /** Forward: exclusive upper index. Backward: inclusive lower index. */
  readonly stop: number;
  ts: number;
}

export type Direction = 1 | -1;

export class Merge {
  private readonly heap: Cursor[];

  constructor(
    cursors: readonly Cursor[],
    private readonly dir: Direction,
  ) {
    this.heap = cursors.filter((c) => this.live(c));
    for (const c of this.heap) c.ts = c.src.timestampAt(c.i);
    for (let k = (this.heap.length >> 1) - 1; k >= 0; k--) this.down(k);
  }

  /** The cursor holding the next event, or undefined when exhausted. */
  top(): Cursor | undefined {
    return this.heap[0];
  }

  /** Key of the next event. */
  topKey(): MergeKey | undefined {
    const c = this.heap[0];
    return c ? [c.ts, c.src.ord, c.src.tiebreakAt(c.i)] : undefined;
  }

  /** Moves past the current top event. */
  advance(): void {
    const c = this.heap[0];
    if (!c) return;
    c.i += this.dir;
    if (this.live(c)) {
      c.ts = c.src.timestampAt(c.i);
    } else {
      const last = this.heap.pop() as Cursor;
      if (this.heap.length === 0) return;
      this.heap[0] = last;
    }
    this.down(0);
  }

  private live(c: Cursor): boolean {
    return this.dir === 1 ? c.i < c.stop : c.i >= c.stop;
  }

  private before(a: Cursor, b: Cursor): boolean {
    if (a.ts !== b.ts) return this.dir === 1 ? a.ts < b.ts : a.ts > b.ts;
    return this.dir === 1 ? a.src.ord < b.src.ord : a.src.ord > b.src.ord;
  }

  private down(k: number): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.before(h[r] as Cursor, h[l] as Cursor) ? r : l;
      if (!this.before(h[m] as Cursor, h[k] as Cursor)) return;
      const t = h[k] as Cursor;
      h[k] = h[m] as Cursor;
      h[m] = t;
      k = m;
    }
  }
}
