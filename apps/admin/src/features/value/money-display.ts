import { parseSignedMoney } from "@clientele/domain";

/**
 * Money as the API gives it ("12345.60", maybe "-5.00") shown with thousands separators, from the
 * string itself: an amount never passes through a JavaScript number on its way to the screen.
 */
export function displayMoney(amount: string, currency?: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return currency ? `${amount} ${currency}` : amount;
  const [, sign, whole = "", fraction = ""] = m;
  const grouped = whole.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const shown = `${sign}${grouped}.${fraction.padEnd(2, "0")}`;
  return currency ? `${shown} ${currency}` : shown;
}

/** A change as "+1,000.01 USD" / "-5.00 USD". */
export const signedMoney = (delta: string, currency?: string): string => (delta.trim().startsWith("-") ? displayMoney(delta, currency) : `+${displayMoney(delta, currency)}`);

export type ChartPoint = { at: string; lifetimeValue: string };
export type Plot = { points: string; width: number; height: number; min: string; max: string; first: string | null; last: string | null };

/**
 * Where each LTV point sits in a `width`×`height` SVG: x by time, y by value between the range's
 * lowest and highest. Values are compared as bigint cents; only the pixel position (a ratio of two
 * cent differences) becomes a number, never the amount shown.
 */
export function plotPoints(series: readonly ChartPoint[], width: number, height: number, pad = 4): Plot {
  const empty = { points: "", width, height, min: "0.00", max: "0.00", first: null, last: null };
  if (series.length === 0) return empty;
  const cents = series.map((p) => parseSignedMoney(p.lifetimeValue));
  const times = series.map((p) => Date.parse(p.at));
  let lo = cents[0]!;
  let hi = cents[0]!;
  for (const c of cents) {
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const span = hi - lo;
  const innerW = width - 2 * pad;
  const innerH = height - 2 * pad;
  const xy = series.map((_, i) => {
    const x = t1 === t0 ? (series.length === 1 ? width / 2 : pad + (innerW * i) / (series.length - 1)) : pad + (innerW * (times[i]! - t0)) / (t1 - t0);
    // A flat series is drawn across the middle; otherwise the highest value at the top.
    const y = span === 0n ? height / 2 : pad + innerH - (innerH * Number(((cents[i]! - lo) * 10_000n) / span)) / 10_000;
    return `${round(x)},${round(y)}`;
  });
  return { points: xy.join(" "), width, height, min: series[cents.indexOf(lo)]!.lifetimeValue, max: series[cents.indexOf(hi)]!.lifetimeValue, first: series[0]!.lifetimeValue, last: series.at(-1)!.lifetimeValue };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The chart's series: each UTC day's closing value (the API's `history.daily`), placed at the day's start. */
export const ltvSeries = (daily: readonly { date: string; lifetimeValue: string }[]): ChartPoint[] =>
  daily.map((d) => ({ at: `${d.date.slice(0, 10)}T00:00:00.000Z`, lifetimeValue: d.lifetimeValue }));
