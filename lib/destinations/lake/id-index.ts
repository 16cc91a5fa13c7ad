// Id → partition of every row of an in-place table, compact: a GUID is kept as its 16 bytes in an
// open-addressing table (18 bytes a slot, at most half full: ~40 bytes an id, against ~120 for a
// Map of strings), so a 1M-row table's index costs ~40 MB instead of ~150. Ids that are not
// GUIDs (none in Dataverse, but nothing breaks) go to a plain Map.

const HEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMPTY = 0xffff;

export class IdIndex {
  private keys: Uint32Array;
  private slots: Uint16Array;
  private used = 0;
  private readonly partitions: string[] = [];
  private readonly partitionNo = new Map<string, number>();
  private readonly other = new Map<string, string>();
  private readonly k = new Uint32Array(4);

  constructor(capacity = 1 << 16) {
    let c = 1 << 10;
    while (c < capacity * 2) c <<= 1;
    this.keys = new Uint32Array(c * 4);
    this.slots = new Uint16Array(c).fill(EMPTY);
  }

  get size(): number {
    return this.used + this.other.size;
  }

  private parse(id: string): boolean {
    if (id.length !== 36 || !HEX.test(id)) return false;
    const h = id.replace(/-/g, "");
    for (let i = 0; i < 4; i++) this.k[i] = parseInt(h.slice(i * 8, i * 8 + 8), 16) >>> 0;
    return true;
  }

  /** Slot of the parsed key, or the empty slot where it would go. */
  private find(): number {
    const mask = this.slots.length - 1;
    const k = this.k;
    let i = (Math.imul(k[0] ^ k[3], 0x9e3779b1) ^ k[1] ^ Math.imul(k[2], 0x85ebca6b)) & mask;
    for (;;) {
      if (this.slots[i] === EMPTY) return i;
      const o = i * 4;
      if (this.keys[o] === k[0] && this.keys[o + 1] === k[1] && this.keys[o + 2] === k[2] && this.keys[o + 3] === k[3]) return i;
      i = (i + 1) & mask;
    }
  }

  get(id: string): string | undefined {
    if (!this.parse(id)) return this.other.get(id);
    const s = this.slots[this.find()];
    return s === EMPTY ? undefined : this.partitions[s];
  }

  set(id: string, partition: string): void {
    if (!this.parse(id)) {
      this.other.set(id, partition);
      return;
    }
    let p = this.partitionNo.get(partition);
    if (p === undefined) {
      p = this.partitions.length;
      if (p >= EMPTY) throw new Error("too many partitions in one table");
      this.partitions.push(partition);
      this.partitionNo.set(partition, p);
    }
    if ((this.used + 1) * 2 > this.slots.length) {
      this.grow();
      this.parse(id); // grow() reused the key buffer
    }
    const i = this.find();
    if (this.slots[i] === EMPTY) {
      this.used++;
      this.keys.set(this.k, i * 4);
    }
    this.slots[i] = p;
  }

  delete(id: string): void {
    if (!this.parse(id)) {
      this.other.delete(id);
      return;
    }
    const mask = this.slots.length - 1;
    let i = this.find();
    if (this.slots[i] === EMPTY) return;
    // Backward-shift deletion keeps every probe chain unbroken (no tombstones).
    this.slots[i] = EMPTY;
    this.used--;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (this.slots[j] === EMPTY) return;
      const o = j * 4;
      const home = (Math.imul(this.keys[o] ^ this.keys[o + 3], 0x9e3779b1) ^ this.keys[o + 1] ^ Math.imul(this.keys[o + 2], 0x85ebca6b)) & mask;
      // Move j back to i when its home is not in (i, j] (cyclically).
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.keys.copyWithin(i * 4, o, o + 4);
        this.slots[i] = this.slots[j];
        this.slots[j] = EMPTY;
        i = j;
      }
    }
  }

  private grow(): void {
    const { keys, slots } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.slots = new Uint16Array(slots.length * 2).fill(EMPTY);
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === EMPTY) continue;
      this.k.set(keys.subarray(i * 4, i * 4 + 4));
      const j = this.find();
      this.keys.set(this.k, j * 4);
      this.slots[j] = slots[i];
    }
  }
}
