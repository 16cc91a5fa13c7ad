// Structured logs of the worker (pino): one JSON object a line with `profile` and `table` fields
// for log collectors; pino-pretty when stdout is a terminal, so a person can read them.
import os from "node:os";
import pino from "pino";
import pretty from "pino-pretty";
import type { Logger } from "./table-pipeline";

export type WorkerLogger = pino.Logger;

export function createWorkerLogger(o: { pretty?: boolean; level?: string; destination?: pino.DestinationStream } = {}): WorkerLogger {
  const usePretty = o.pretty ?? (process.env.LOG_FORMAT === "pretty" || (process.env.LOG_FORMAT !== "json" && Boolean(process.stdout.isTTY)));
  const opts: pino.LoggerOptions = { level: o.level ?? process.env.LOG_LEVEL ?? "info", base: { pid: process.pid, host: os.hostname() } };
  if (o.destination) return pino(opts, o.destination);
  return usePretty ? pino(opts, pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,host" })) : pino(opts);
}

// The engine names the table first in its messages ("account: re-exporting…",
// "account 7f3e…: reason"): lift it into a field.
const TABLE_FIRST = /^([A-Za-z0-9_]+)(?: [0-9a-fA-F-]{36})?: /;

/** The engine's Logger interface over pino, with fixed fields (profile, profileId, worker). */
export function engineLogger(l: WorkerLogger, fields: Record<string, unknown> = {}): Logger {
  const child = Object.keys(fields).length ? l.child(fields) : l;
  const emit = (level: "info" | "warn" | "error") => (msg: string) => {
    const m = "profile" in fields ? TABLE_FIRST.exec(msg) : null;
    if (m) child[level]({ table: m[1] }, msg);
    else child[level](msg);
  };
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}
