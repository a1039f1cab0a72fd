/**
 * The clock the safety rule is judged on: milliseconds since boot *including* time suspended
 * (CLOCK_BOOTTIME, read from /proc/uptime). CLOCK_MONOTONIC (performance.now, hrtime) stops while a
 * machine or VM is suspended, so an affirmation from before a suspend would look fresh after it;
 * boot time goes on. It is shared by every process of the host (the one-shot `lease` command reads
 * what the agent wrote), never set back, and starts again at 0 after a reboot. There is no
 * fallback: a reading from another clock would make old affirmations look fresh, so a failed read
 * throws, and every caller fails closed (admission refuses, a standby does not ask for the lease).
 */
import { readFileSync } from 'node:fs';

export function bootNowMs(): number {
  const s = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
  if (!Number.isFinite(s) || s <= 0) throw new Error('the boot clock (/proc/uptime) gave no time');
  return s * 1000;
}
