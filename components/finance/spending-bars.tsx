"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { BarDatum } from "@/components/finance/chart-types";

/**
 * Spending per category as horizontal bars (recharts). Visual only: the caller hides it from
 * assistive technology and shows the same figures in a table. Loaded in the browser only
 * (components/finance/chart-frame.tsx), so its inline styles are set through the DOM, which
 * the nonce-based CSP allows, never as server-rendered style attributes, which it refuses.
 */
export function SpendingBars({ data, currency }: { data: readonly BarDatum[]; currency: string }) {
  const axis = new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact" });
  return (
    <ResponsiveContainer width="100%" height={Math.max(data.length * 34 + 40, 140)}>
      <BarChart data={[...data]} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
        <CartesianGrid horizontal={false} strokeDasharray="3 3" stroke="#d9dedb" />
        <XAxis type="number" tickFormatter={(value: number) => axis.format(value)} tick={{ fill: "#55615c", fontSize: 12 }} />
        <YAxis type="category" dataKey="label" width={112} tick={{ fill: "#1c2421", fontSize: 12 }} />
        <Tooltip cursor={{ fill: "#eef7f2" }} formatter={(_value, _name, item) => [(item.payload as BarDatum).display, "Spent"]} />
        <Bar dataKey="value" fill="#1f7a4d" radius={[0, 4, 4, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
