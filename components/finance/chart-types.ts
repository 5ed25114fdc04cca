/**
 * What the chart components receive: plain, serialisable numbers computed on the server from
 * integer minor units. `value` is in major units and exists only to be plotted (a float is fine
 * for a bar's length, never for a sum); `display` is the exact amount, formatted on the server.
 */

/** One bar. */
export interface BarDatum {
  label: string;
  value: number;
  display: string;
}

/** One line of a line chart: an account's balances, one per point. */
export interface LineSeries {
  key: string;
  name: string;
  values: number[];
  displays: string[];
}
