// CPU time of every process a bench phase involves (this process, the emulator child, the
// PostgreSQL backends serving the bench's database), read from /proc/<pid>/stat. Wall-clock rates
// on a shared 2-core machine swing with the load; CPU per record does not, and the sum over the
// processes says whether a phase was bounded by the cores (cores busy = CPU / wall).
// Linux only; elsewhere every reading is null and the figures come out as zero.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

export interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** When the process started, in clock ticks since boot. */
  startTicks: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses ("postgres: 15/main: postgres db 127.0.0.1(34968) idle" is shortened,
 * but a process may name itself anything), so fields are counted from the last ")".
 */
export function parseStat(text: string): ProcStat {
  const close = text.lastIndexOf(")");
  if (close < 0) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  // After ")": field 3 (state) is at index 0, so field k is at index k - 3.
  const f = text.slice(close + 2).trim().split(/\s+/);
  const at = (k: number) => {
    const v = Number(f[k - 3]);
    if (!Number.isFinite(v)) throw new Error(`field ${k} missing in /proc stat line`);
    return v;
  };
  return { ppid: at(4), cpuTicks: at(14) + at(15), startTicks: at(22) };
}

let tck: number | null = null;
/** Clock ticks per second (USER_HZ; 100 on Linux, asked once). */
export function clockTicks(): number {
  if (tck === null) {
    try {
      tck = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      tck = 100;
    }
  }
  return tck;
}

/** The stat of a live process, or null (gone, or no /proc). */
export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/**
 * A thread's scheduler times from /proc/<pid>/schedstat (the process's main thread; that is the
 * event loop): nanoseconds on a CPU, nanoseconds runnable but waiting for one. What is left of the
 * wall time, the thread was off CPU by itself: blocked in a syscall (fsync, a synchronous SQLite
 * commit) or its event loop idle, waiting for data.
 */
export function parseSchedstat(text: string): { onCpuS: number; waitS: number } {
  const [on, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(on) || !Number.isFinite(wait)) throw new Error(`not a schedstat line: ${text.slice(0, 80)}`);
  return { onCpuS: on / 1e9, waitS: wait / 1e9 };
}

export function readSchedstat(pid: number): { onCpuS: number; waitS: number } | null {
  try {
    return parseSchedstat(fs.readFileSync(`/proc/${pid}/schedstat`, "utf8"));
  } catch {
    return null;
  }
}

/** Clock ticks since boot now, for comparing with ProcStat.startTicks. */
export function ticksSinceBoot(): number {
  try {
    return Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]) * clockTicks();
  } catch {
    return 0;
  }
}

/**
 * CPU time the whole machine has spent busy (user, nice, system, irq, softirq, steal; not idle or
 * iowait), in clock ticks, from the first line of /proc/stat; 0 without /proc.
 */
export function machineBusyTicks(text?: string): number {
  try {
    const f = (text ?? fs.readFileSync("/proc/stat", "utf8")).split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return user + nice + system + irq + softirq + (steal ?? 0);
  } catch {
    return 0;
  }
}

/** Every live descendant of `root` (children, their children, …), by one pass over /proc. */
export function descendants(root: number, read: (pid: number) => ProcStat | null = readStat): number[] {
  let pids: number[];
  try {
    pids = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const s = read(pid);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const todo = [...(children.get(root) ?? [])];
  while (todo.length) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * CPU used since `start()` by the processes watched, summed per group. A process watched that
 * was already running at the start counts from its reading then; one started later counts from
 * zero (all its CPU falls in the phase), wherever in the phase it is first seen. A process that
 * exits keeps its last sample: sample() often (the loss is at most one interval per exit).
 */
export class CpuLedger {
  private readonly procs = new Map<number, { group: string; base: number; last: number }>();
  private startTicks = 0;

  constructor(private readonly read: (pid: number) => ProcStat | null = readStat, private readonly now: () => number = ticksSinceBoot) {}

  start(): void {
    this.startTicks = this.now();
    this.procs.clear();
  }

  /** Adds `pid` to `group` (a pid already watched stays in its first group). */
  watch(group: string, pid: number): void {
    if (this.procs.has(pid)) return;
    const s = this.read(pid);
    if (!s) return;
    const base = s.startTicks >= this.startTicks ? 0 : s.cpuTicks;
    this.procs.set(pid, { group, base, last: s.cpuTicks });
  }

  sample(): void {
    for (const [pid, p] of this.procs) {
      const s = this.read(pid);
      // A new process under a recycled pid would start from zero again: ignore a drop.
      if (s && s.cpuTicks >= p.last) p.last = s.cpuTicks;
    }
  }

  /** CPU seconds per group (every group named in `groups` present, zero if nothing seen). */
  seconds(groups: readonly string[] = []): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(groups.map((g) => [g, 0]));
    for (const p of this.procs.values()) out[p.group] = (out[p.group] ?? 0) + (p.last - p.base) / clockTicks();
    return out;
  }
}

/** Where a group's pids come from; asked at the start and every `discoverMs`. */
export type PidSource = () => number[] | Promise<number[]>;

export interface PhaseCpuResult {
  /** CPU seconds per group, in the order given. */
  seconds: Record<string, number>;
  wallS: number;
  /** CPU seconds the whole machine was busy (the groups and everything else running). */
  machineS: number;
}

export interface PhaseCpu {
  /** Final sample and the totals. */
  stop(): Promise<PhaseCpuResult>;
}

/**
 * Measures one phase: every group's pids found now and every `discoverMs` (new backends, a
 * child started mid-phase), all watched pids read every `sampleMs`.
 */
export async function measurePhase(groups: Record<string, PidSource>, { sampleMs = 100, discoverMs = 500 } = {}): Promise<PhaseCpu> {
  const ledger = new CpuLedger();
  const names = Object.keys(groups);
  const discover = async () => {
    for (const name of names) for (const pid of await groups[name]()) ledger.watch(name, pid);
  };
  ledger.start();
  const t0 = performance.now();
  const busy0 = machineBusyTicks();
  await discover();
  const sampler = setInterval(() => ledger.sample(), sampleMs);
  let finding = Promise.resolve();
  const finder = setInterval(() => {
    finding = finding.then(discover).catch(() => undefined);
  }, discoverMs);
  return {
    async stop() {
      const wallS = (performance.now() - t0) / 1000;
      const machineS = (machineBusyTicks() - busy0) / clockTicks();
      clearInterval(finder);
      clearInterval(sampler);
      await finding;
      ledger.sample();
      return { seconds: ledger.seconds(names), wallS, machineS };
    },
  };
}

/** The CPU seconds of every group of a phase together. */
export const totalSeconds = (r: PhaseCpuResult) => Object.values(r.seconds).reduce((a, b) => a + b, 0);

/** µs of CPU per record for a number of CPU seconds. */
export const usPerRecord = (seconds: number, records: number) => (seconds * 1e6) / records;

/**
 * One line per phase: each group's CPU seconds and µs per record, the total, cores busy (CPU /
 * wall) and what the rest of the machine used meanwhile.
 */
export function cpuLine(label: string, r: PhaseCpuResult, records: number): string {
  const total = totalSeconds(r);
  const parts = Object.entries(r.seconds).map(([g, s]) => `${g} ${s.toFixed(2)} s (${usPerRecord(s, records).toFixed(1)} µs/rec)`);
  const others = Math.max(0, r.machineS - total);
  return (
    `CPU ${label}: ${parts.join(", ")} → ${total.toFixed(2)} s, ${usPerRecord(total, records).toFixed(1)} µs/record, ` +
    `${(total / r.wallS).toFixed(2)} cores busy (${r.wallS.toFixed(1)} s wall); other processes ${(others / r.wallS).toFixed(2)} cores`
  );
}
