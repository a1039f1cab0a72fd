/**
 * The clock the safety rule is judged on: milliseconds since boot *including* time suspended
 * (CLOCK_BOOTTIME, read from /proc/uptime). CLOCK_MONOTONIC (performance.now, hrtime) stops while a
 * machine or VM is suspended, so an affirmation from before a suspend would look fresh after it;
 * boot time goes on. It is shared by every process of the host (the one-shot `lease` command reads
 * what the agent wrote), never set back, and starts again at 0 after a reboot. Where /proc/uptime
 * cannot be read, the monotonic clock is the fallback (never the wall clock).
 */
import { readFileSync } from 'node:fs';

let readable = true;

export function bootNowMs(): number {
  if (readable) {
    try {
      return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
    } catch {
      readable = false;
    }
  }
  return Number(process.hrtime.bigint() / 1_000_000n);
}
