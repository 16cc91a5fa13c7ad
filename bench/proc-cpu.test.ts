import { spawn } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { clockTicks, CpuLedger, descendants, machineBusyTicks, parseSchedstat, parseStat, type ProcStat, readStat } from "./proc-cpu";

// A real line (cat's own stat), with the command name replaced by one holding ") (" and spaces.
const line = (comm: string, utime: number, stime: number, start: number, ppid = 10612) =>
  `10614 (${comm}) R ${ppid} 10612 9583 0 -1 4194304 99 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 ${start} 3133440 407 18446744073709551615 0 0 0 0`;

describe("parseStat", () => {
  it("counts fields from the last parenthesis, whatever the command name holds", () => {
    expect(parseStat(line("cat", 7, 3, 67417))).toEqual({ ppid: 10612, cpuTicks: 10, startTicks: 67417 });
    expect(parseStat(line("postgres: db 127.0.0.1(34968) idle) (x", 250, 50, 9, 2198))).toEqual({ ppid: 2198, cpuTicks: 300, startTicks: 9 });
  });

  it("refuses a line that is not one", () => {
    expect(() => parseStat("hello")).toThrow(/not a \/proc stat line/);
    expect(() => parseStat("1 (x) R 2 3")).toThrow(/field 14 missing/);
  });
});

describe("parseSchedstat", () => {
  it("reads on-CPU and run-queue wait nanoseconds as seconds", () => {
    expect(parseSchedstat("1656486821 2654057207 1181\n")).toEqual({ onCpuS: 1.656486821, waitS: 2.654057207 });
    expect(() => parseSchedstat("")).toThrow(/not a schedstat line/);
  });
});

describe("machineBusyTicks", () => {
  it("adds user, nice, system, irq, softirq and steal, leaving out idle and iowait", () => {
    expect(machineBusyTicks("cpu  100 2 30 5000 70 4 6 1 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n")).toBe(100 + 2 + 30 + 4 + 6 + 1);
  });
});

describe("CpuLedger", () => {
  const tck = clockTicks();

  it("counts a process running at the start from then, one started later from zero, and keeps an exited one's last sample", () => {
    const procs = new Map<number, ProcStat>([
      [1, { ppid: 0, cpuTicks: 1000, startTicks: 50 }],
      [2, { ppid: 0, cpuTicks: 0, startTicks: 50 }],
    ]);
    const ledger = new CpuLedger((pid) => procs.get(pid) ?? null, () => 500);
    ledger.start();
    ledger.watch("engine", 1);
    ledger.watch("emulator", 2);
    ledger.watch("engine", 2); // already in "emulator": stays there
    procs.set(1, { ppid: 0, cpuTicks: 1000 + 3 * tck, startTicks: 50 });
    procs.set(2, { ppid: 0, cpuTicks: tck, startTicks: 50 });
    // A backend that connected after the start, first seen with 2 s of CPU already used.
    procs.set(3, { ppid: 0, cpuTicks: 2 * tck, startTicks: 600 });
    ledger.watch("backends", 3);
    ledger.sample();
    procs.delete(3); // it exits: its 2 s stay counted
    procs.set(2, { ppid: 0, cpuTicks: 0, startTicks: 900 }); // pid reused by a new process: ignored
    ledger.sample();
    expect(ledger.seconds(["engine", "emulator", "backends", "none"])).toEqual({ engine: 3, emulator: 1, backends: 2, none: 0 });
  });

  it("ignores a pid it cannot read", () => {
    const ledger = new CpuLedger(() => null, () => 0);
    ledger.start();
    ledger.watch("x", 42);
    expect(ledger.seconds()).toEqual({});
  });
});

describe.skipIf(!fs.existsSync("/proc/self/stat"))("on this machine's /proc", () => {
  it("reads this process and finds a child among its descendants", async () => {
    expect(readStat(process.pid)?.ppid).toBe(process.ppid);
    const child = spawn("sleep", ["5"]);
    try {
      await new Promise((r) => child.once("spawn", r));
      expect(descendants(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
    }
  });
});
