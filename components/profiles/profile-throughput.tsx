"use client";

import { useState } from "react";
import { Alert } from "../ui/alert";
import { useThroughput } from "./hooks/use-throughput";
import { ThroughputChart } from "./throughput-chart";

const PERIODS = [
  { minutes: 60, label: "Last hour" },
  { minutes: 360, label: "Last 6 hours" },
  { minutes: 1440, label: "Last 24 hours" },
];

export function ProfileThroughput({ profileId }: { profileId: string }) {
  const [minutes, setMinutes] = useState(60);
  const stats = useThroughput(profileId, minutes);
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2">
        <label htmlFor="throughput-period" className="text-sm font-medium text-slate-700">
          Period
        </label>
        <select
          id="throughput-period"
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
        >
          {PERIODS.map((p) => (
            <option key={p.minutes} value={p.minutes}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      {stats.error ? <Alert tone="error">{stats.error.message}</Alert> : null}
      {stats.data ? <ThroughputChart points={stats.data} sinceMinutes={minutes} /> : <p className="text-sm text-slate-600">Loading…</p>}
    </div>
  );
}
