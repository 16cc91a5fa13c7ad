// Flags of `npm run chaos` (bench/chaos.ts).
import { parseArgs } from "node:util";

export interface ChaosArgs {
  /** Length of the fault phase. */
  seconds: number;
  seed: number;
  records: number;
  /** Source changes per second while faults run. */
  rate: number;
  /** Seconds between two faults: a random value in [gapMin, gapMax]. */
  gapMin: number;
  gapMax: number;
  /** How long the engine may take to catch up once churn stops and faults heal. */
  catchUpSeconds: number;
  retryCount: number;
  retryInterval: number;
  keep: boolean;
}

export const USAGE = `usage: npm run chaos -- [--minutes N | --seconds N] [--seed S] [--records N] [--rate R]
       [--gap MIN-MAX] [--catch-up SECONDS] [--retry-count N] [--retry-interval S] [--keep]

  --minutes/--seconds  length of the fault phase (default 5 minutes)
  --seed               seed of the data, the churn and the fault sequence (default 1)
  --records            size of the emulator's big tables (default 2000)
  --rate               source changes per second during the faults (default 20)
  --gap                seconds between faults, e.g. 2-5 (default 2-5)
  --catch-up           seconds the engine may take to catch up afterwards (default 300)
  --retry-count/--retry-interval   the profile's DES retry policy (default 2 and 1 s)
  --keep               keep the store, the engine log and the target database after a green run`;

export function parseChaosArgs(argv: string[]): ChaosArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      minutes: { type: "string" }, seconds: { type: "string" }, seed: { type: "string" }, records: { type: "string" },
      rate: { type: "string" }, gap: { type: "string" }, "catch-up": { type: "string" }, "retry-count": { type: "string" },
      "retry-interval": { type: "string" }, keep: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) throw new Error("");
  const num = (v: string | undefined, dflt: number, flag: string, min = 0) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < min) throw new Error(`${flag} must be a number >= ${min}, got '${v}'`);
    return n;
  };
  if (values.minutes !== undefined && values.seconds !== undefined) throw new Error("give --minutes or --seconds, not both");
  const seconds = values.seconds !== undefined ? num(values.seconds, 0, "--seconds", 1) : num(values.minutes, 5, "--minutes", 0.05) * 60;
  const gap = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(values.gap ?? "2-5");
  if (!gap || Number(gap[1]) > Number(gap[2])) throw new Error(`--gap must look like 1-4, got '${values.gap}'`);
  return {
    seconds,
    seed: Math.floor(num(values.seed, 1, "--seed")),
    records: Math.floor(num(values.records, 2000, "--records", 20)),
    rate: num(values.rate, 20, "--rate", 0),
    gapMin: Number(gap[1]),
    gapMax: Number(gap[2]),
    catchUpSeconds: num(values["catch-up"], 300, "--catch-up", 1),
    retryCount: Math.floor(num(values["retry-count"], 2, "--retry-count")),
    retryInterval: Math.floor(num(values["retry-interval"], 1, "--retry-interval")),
    keep: Boolean(values.keep),
  };
}
