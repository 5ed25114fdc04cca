"use client";

import dynamic from "next/dynamic";
import type { BarDatum, LineSeries } from "@/components/finance/chart-types";

/**
 * The charts, loaded in the browser only (`ssr: false`): recharts measures its container there
 * anyway, its inline styles must not arrive as server-rendered style attributes (the CSP refuses
 * them), and pages without charts carry none of its code. Until it loads, a placeholder of the
 * same height keeps the layout still. Both are hidden from assistive technology: the table next
 * to every chart carries the same figures.
 */
const SpendingBars = dynamic(() => import("@/components/finance/spending-bars").then((module) => module.SpendingBars), {
  ssr: false,
  loading: () => <ChartPlaceholder className="h-44" />,
});

const BalanceLines = dynamic(() => import("@/components/finance/balance-lines").then((module) => module.BalanceLines), {
  ssr: false,
  loading: () => <ChartPlaceholder className="h-[300px]" />,
});

/** Sized by class, not by a style attribute: it is server-rendered, and the CSP refuses inline styles. */
function ChartPlaceholder({ className }: { className: string }) {
  return <div className={`animate-pulse rounded-lg bg-surface ${className}`} />;
}

/** Spending per category (see spending-bars.tsx). */
export function SpendingChart({ data, currency }: { data: readonly BarDatum[]; currency: string }) {
  return (
    <div aria-hidden="true" className="w-full" data-testid="spending-chart">
      <SpendingBars data={data} currency={currency} />
    </div>
  );
}

/** Balances over time (see balance-lines.tsx). */
export function BalanceChart({ labels, series, currency }: { labels: readonly string[]; series: readonly LineSeries[]; currency: string }) {
  return (
    <div aria-hidden="true" className="w-full" data-testid="balance-chart">
      <BalanceLines labels={labels} series={series} currency={currency} />
    </div>
  );
}
