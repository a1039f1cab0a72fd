import { afterAll, describe, expect, it } from 'vitest';
import { hostOf, inHost, lab, labStatus } from './helpers.ts';

const s = labStatus();
const mail1 = hostOf(s, 'mail1');
const witness = hostOf(s, 'witness');
/** Whether `from` can open a TCP connection to `to`'s sshd within a second. */
const reaches = (from: string, to: { address: string }) =>
  inHost(s, from, `timeout 1 bash -c '</dev/tcp/${to.address}/22' && echo yes || echo no`).stdout.trim() === 'yes';

afterAll(() => {
  lab('heal', 'mail1');
  lab('shape', 'mail1', '--clear');
});

describe('lab network faults', () => {
  it('cut partitions a host from every other and heal restores it', () => {
    expect(reaches('mail2', mail1)).toBe(true);
    const cut = lab('cut', 'mail1');
    expect(cut.code).toBe(0);
    expect(reaches('mail2', mail1)).toBe(false);
    expect(reaches('witness', mail1)).toBe(false);
    expect(reaches('mail2', witness)).toBe(true);
    expect(lab('heal', 'mail1').code).toBe(0);
    expect(reaches('mail2', mail1)).toBe(true);
  });

  it('cut A B cuts only the link between two hosts', () => {
    expect(lab('cut', 'mail1', 'mail2').code).toBe(0);
    expect(reaches('mail2', mail1)).toBe(false);
    expect(reaches('mail1', hostOf(s, 'mail2'))).toBe(false);
    expect(reaches('witness', mail1)).toBe(true);
    expect(lab('heal', 'mail1', 'mail2').code).toBe(0);
    expect(reaches('mail2', mail1)).toBe(true);
  });

  it('shape limits throughput measurably (iperf3)', () => {
    const measure = () => {
      inHost(s, 'mail1', `pkill -x iperf3; iperf3 -s -1 -D -B ${mail1.address}; sleep 0.3`);
      const r = inHost(s, 'mail2', `iperf3 -c ${mail1.address} -t 2 -J`);
      const j = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } };
      return j.end.sum_received.bits_per_second / 1e6;
    };
    const free = measure();
    expect(lab('shape', 'mail1', '--rate', '20mbit').code).toBe(0);
    const shaped = measure();
    expect(lab('shape', 'mail1', '--clear').code).toBe(0);
    expect(shaped).toBeLessThan(24);
    expect(shaped).toBeGreaterThan(5);
    expect(free).toBeGreaterThan(shaped * 3);
  });

  it('explains bad shaping input in one sentence and changes nothing', () => {
    const r = lab('shape', 'mail1', '--rate', 'fast');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^lab: "fast" is not a rate; write it like 100mbit/);
    expect(inHost(s, 'mail1', 'tc qdisc show dev eth0').stdout).not.toMatch(/tbf|netem/);
  });
});
