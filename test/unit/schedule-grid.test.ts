import { describe, expect, it } from 'vitest';
import { nextSlot } from '../../renderer/src/components/week-keys.ts';

describe('the schedule grid from the keyboard', () => {
  it('moves by hour and by day with the arrows, to the row\'s ends with Home and End, and never leaves the week', () => {
    const at = (day: number, hour: number) => day * 24 + hour;
    expect(nextSlot(at(1, 5), 'ArrowRight')).toBe(at(1, 6));
    expect(nextSlot(at(1, 23), 'ArrowRight')).toBe(at(1, 23));
    expect(nextSlot(at(1, 0), 'ArrowLeft')).toBe(at(1, 0));
    expect(nextSlot(at(1, 5), 'ArrowDown')).toBe(at(2, 5));
    expect(nextSlot(at(6, 5), 'ArrowDown')).toBe(at(6, 5));
    expect(nextSlot(at(0, 5), 'ArrowUp')).toBe(at(0, 5));
    expect([nextSlot(at(3, 9), 'Home'), nextSlot(at(3, 9), 'End')]).toEqual([at(3, 0), at(3, 23)]);
    expect(nextSlot(at(3, 9), 'a')).toBeNull();
  });
});
