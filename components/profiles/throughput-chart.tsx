"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { totalsByMinute, type ThroughputRow } from "@/lib/portal/throughput";

export function ThroughputChart({ points, sinceMinutes }: { points: readonly ThroughputRow[]; sinceMinutes: number }) {
  const data = totalsByMinute(points);
  const written = data.reduce((n, d) => n + d.written, 0);
  const failed = data.reduce((n, d) => n + d.failed, 0);
  const summary = `Last ${sinceMinutes} minutes: ${written.toLocaleString("en-US")} records written, ${failed.toLocaleString("en-US")} failed.`;
  return (
    <figure className="space-y-2">
      <figcaption className="text-sm text-slate-700" data-testid="throughput-summary">
        {summary}
      </figcaption>
      {data.length === 0 ? (
        <p className="text-sm text-slate-600">No records were written in this period.</p>
      ) : (
        <div className="h-64 w-full">
          <ResponsiveContainer width="100%" height="100%">
            {/* Recharts' accessibility layer: the chart takes focus and the arrow keys move its tooltip. */}
            <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} title="Records written and failed per minute (UTC)" desc={summary}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
              <XAxis dataKey="minute" tick={{ fontSize: 12, fill: "#334155" }} />
              <YAxis yAxisId="written" tick={{ fontSize: 12, fill: "#334155" }} allowDecimals={false} />
              <YAxis yAxisId="failed" orientation="right" tick={{ fontSize: 12, fill: "#991b1b" }} allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar yAxisId="written" dataKey="written" name="Written per minute (UTC)" fill="#1d4ed8" isAnimationActive={false} />
              <Line yAxisId="failed" dataKey="failed" name="Failed per minute" stroke="#b91c1c" strokeWidth={2} dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
