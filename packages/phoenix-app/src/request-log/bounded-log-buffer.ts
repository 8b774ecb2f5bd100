/**
 * A FIFO with a hard capacity that drops its oldest entries to make room, counting them.
 * Memory stays bounded however long the database is away.
 */
export class BoundedLogBuffer<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private size = 0;
  private droppedTotal = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.slots = new Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Entries discarded because the buffer was full, since creation. */
  get dropped(): number {
    return this.droppedTotal;
  }

  push(entry: T): void {
    if (this.size === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      this.droppedTotal++;
    }
    this.slots[(this.head + this.size) % this.capacity] = entry;
    this.size++;
  }

  /** Removes and returns up to `max` of the oldest entries. */
  take(max: number): T[] {
    const count = Math.min(max, this.size);
    const batch: T[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const index = (this.head + i) % this.capacity;
      batch[i] = this.slots[index] as T;
      this.slots[index] = undefined;
    }
    this.head = (this.head + count) % this.capacity;
    this.size -= count;
    return batch;
  }

  /**
   * Puts a batch that failed to write back in front of newer entries. Where they no longer
   * fit, the oldest of them are the ones dropped.
   */
  requeue(batch: readonly T[]): void {
    const room = this.capacity - this.size;
    const kept = batch.length <= room ? batch : batch.slice(batch.length - room);
    this.droppedTotal += batch.length - kept.length;
    for (let i = kept.length - 1; i >= 0; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.slots[this.head] = kept[i];
      this.size++;
    }
  }
}
