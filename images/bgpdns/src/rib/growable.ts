/**
 * Typed arrays that grow and shrink in place: a length-tracking view on a
 * resizable ArrayBuffer. Growing a plain typed array means a new one and a copy
 * of the old, which for a full table's trie or path slots is tens of megabytes
 * copied in one synchronous step (measured: 30 ms idle, 160 ms under load — an
 * event-loop stall). A resizable buffer reserves address space up front and
 * commits pages as it grows: no copy, and the view stays the same object.
 * Shrinking returns the pages (RSS drops), but costs time per megabyte
 * released, so callers shrink in steps (shrinkStep).
 */

/** Address space reserved per array (only what is used is committed): 4 GiB. */
const MAX_BYTES = 2 ** 32;

type Ctor<T> = { new (buffer: ArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };
type Resizable = ArrayBuffer & { resize(bytes: number): void };

/** A length-tracking typed array of `length` elements on a resizable buffer. */
export function growable<T extends ArrayBufferView>(ctor: Ctor<T>, length: number): T {
  const Buffer = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer;
  return new ctor(new Buffer(length * ctor.BYTES_PER_ELEMENT, { maxByteLength: MAX_BYTES }));
}

/** Sets the array's length (new elements are 0), in place: same object, no copy. */
export function resizeInPlace(array: ArrayBufferView & { readonly BYTES_PER_ELEMENT: number }, length: number): void {
  const bytes = length * array.BYTES_PER_ELEMENT;
  if (bytes > MAX_BYTES) throw new Error(`typed array of ${bytes} bytes exceeds the ${MAX_BYTES}-byte reservation`);
  (array.buffer as Resizable).resize(bytes);
}

/** Bytes released per shrink step: a few milliseconds of work. */
const SHRINK_STEP_BYTES = 8 << 20;

/**
 * Moves the array's length one step towards `length` (down only). Returns true
 * when it is there.
 */
export function shrinkStep(array: ArrayBufferView & { readonly BYTES_PER_ELEMENT: number; readonly length: number }, length: number): boolean {
  if (array.length <= length) return true;
  const step = Math.floor(SHRINK_STEP_BYTES / array.BYTES_PER_ELEMENT);
  resizeInPlace(array, Math.max(length, array.length - step));
  return array.length <= length;
}
