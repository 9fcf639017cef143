// Random allocation with a static band, as upstream's bitmap allocators do it
// (pkg/registry/core/service/allocator, KEP-3070 and KEP-3668): the lower `offset` values of a
// range are kept for users who pick a value themselves; random allocation takes from the upper
// (dynamic) band first and falls back to the static band only when the dynamic one is full.

/** `min(max(min, size/step), max)`, or 0 for ranges of `min` values or fewer. */
export function bandOffset(size: number, limits: { min: number; max: number; step: number }): number {
  if (size <= limits.min) return 0;
  const offset = Math.floor(size / limits.step);
  return Math.min(Math.max(limits.min, offset), limits.max);
}

/** A free value index in [0, size), dynamic band first; undefined when every index is used. */
export function pickFree(size: number, offset: number, used: (i: number) => boolean, random: (n: number) => number): number | undefined {
  const dynamic = size - offset;
  if (dynamic > 0) {
    const start = random(dynamic);
    for (let i = 0; i < dynamic; i++) {
      const at = offset + ((start + i) % dynamic);
      if (!used(at)) return at;
    }
  }
  if (offset > 0) {
    const start = random(offset);
    for (let i = 0; i < offset; i++) {
      const at = (start + i) % offset;
      if (!used(at)) return at;
    }
  }
  return undefined;
}
