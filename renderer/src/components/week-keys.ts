/** The schedule grid's keyboard: where each key moves in the week. */
/** Where a key moves in the week (7 rows of 24 hours), staying inside it; null for a key that does not move. */
export function nextSlot(slot: number, key: string): number | null {
  const [d, h] = [Math.floor(slot / 24), slot % 24];
  switch (key) {
    case 'ArrowRight': return d * 24 + Math.min(23, h + 1);
    case 'ArrowLeft': return d * 24 + Math.max(0, h - 1);
    case 'ArrowDown': return Math.min(6, d + 1) * 24 + h;
    case 'ArrowUp': return Math.max(0, d - 1) * 24 + h;
    case 'Home': return d * 24;
    case 'End': return d * 24 + 23;
    default: return null;
  }
}
