/**
 * Binary min-heap of (due, generation, ref) entries, keyed by `due`.
 *
 * Stored as three parallel arrays instead of an array of entry objects so that a push allocates
 * nothing once the arrays have grown (the embedded scheduler pushes one entry per tick, ~10k/s).
 * The heap never removes or updates entries in place: an owner that changes its due instant pushes
 * a new entry with a bumped generation and treats older entries as stale when they surface
 * ("lazy invalidation"). That keeps every operation O(log n) without an index map.
 */
export class MinHeap<T> {
  private dues: number[] = [];
  private gens: number[] = [];
  private refs: T[] = [];

  get size(): number {
    return this.dues.length;
  }

  push(due: number, gen: number, ref: T): void {
    const dues = this.dues;
    const gens = this.gens;
    const refs = this.refs;
    let i = dues.length;
    dues.push(due);
    gens.push(gen);
    refs.push(ref);
    // Sift up: move parents down until the slot for the new entry is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pd = dues[parent]!;
      if (pd <= due) break;
      dues[i] = pd;
      gens[i] = gens[parent]!;
      refs[i] = refs[parent]!;
      i = parent;
    }
    dues[i] = due;
    gens[i] = gen;
    refs[i] = ref;
  }

  /** Due instant of the earliest entry; Infinity when empty. */
  peekDue(): number {
    return this.dues.length > 0 ? this.dues[0]! : Number.POSITIVE_INFINITY;
  }

  /** Generation of the earliest entry. Only meaningful when size > 0. */
  peekGen(): number {
    return this.gens[0]!;
  }

  /** Ref of the earliest entry. Only meaningful when size > 0. */
  peekRef(): T {
    return this.refs[0]!;
  }

  /** Remove the earliest entry (no-op when empty). */
  pop(): void {
    const dues = this.dues;
    const gens = this.gens;
    const refs = this.refs;
    const last = dues.length - 1;
    if (last < 0) return;
    const due = dues[last]!;
    const gen = gens[last]!;
    const ref = refs[last]!;
    dues.pop();
    gens.pop();
    refs.pop();
    if (last === 0) return;
    // Sift down the former last entry from the root.
    let i = 0;
    const n = last;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && dues[r]! < dues[l]! ? r : l;
      if (dues[c]! >= due) break;
      dues[i] = dues[c]!;
      gens[i] = gens[c]!;
      refs[i] = refs[c]!;
      i = c;
    }
    dues[i] = due;
    gens[i] = gen;
    refs[i] = ref;
  }

  clear(): void {
    this.dues.length = 0;
    this.gens.length = 0;
    this.refs.length = 0;
  }
}
