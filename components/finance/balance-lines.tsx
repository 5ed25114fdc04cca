"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { LineSeries } from "@/components/finance/chart-types";

/** Distinct hues that keep 3:1 contrast on white (WCAG 1.4.11 for graphics). */
const LINE_COLOURS = ["#1f7a4d", "#1d4ed8", "#b45309", "#7e22ce", "#be123c"] as const;

/**
 * Balances over time, one line per account (recharts). Visual only, browser only: see
 * spending-bars.tsx for why.
 */
export function BalanceLines({ labels, series, currency }: { labels: readonly string[]; series: readonly LineSeries[]; currency: string }) {
  const axis = new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact" });
  const data = labels.map((label, index) => ({
    label,
    ...Object.fromEntries(series.map((line) => [line.key, line.values[index] ?? 0])),
    ...Object.fromEntries(series.map((line) => [`${line.key}:display`, line.displays[index] ?? ""])),
  }));
  return (
    <ResponsiveContainer width="100%" height={300}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" stroke="#d9dedb" />
        <XAxis dataKey="label" tick={{ fill: "#55615c", fontSize: 12 }} />
        <YAxis tickFormatter={(value: number) => axis.format(value)} width={64} tick={{ fill: "#55615c", fontSize: 12 }} />
        <Tooltip
          formatter={(_value, name, item) => {
            const line = series.find((candidate) => candidate.name === name);
            const row = item.payload as Record<string, string | number>;
            return [line ? String(row[`${line.key}:display`]) : String(_value), name];
          }}
        />
        <Legend />
        {series.map((line, index) => (
          <Line
            key={line.key}
            type="monotone"
            dataKey={line.key}
            name={line.name}
            stroke={LINE_COLOURS[index % LINE_COLOURS.length]}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
