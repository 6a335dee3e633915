import { Anchor, Table, Text, VisuallyHidden } from "@mantine/core";
import { useState } from "react";
import { displayMoney, ltvSeries, plotPoints, signedMoney } from "./money-display";

const WIDTH = 600;
const HEIGHT = 160;

/**
 * The lifetime value's trend: a hand-drawn SVG line of each day's closing value (no chart library
 * in the bundle), described for screen readers, with every change behind it as a table one click away.
 */
export function LtvChart({
  daily,
  changes,
  currency,
}: {
  daily: readonly { date: string; lifetimeValue: string }[];
  changes: readonly { at: string; lifetimeValue: string; delta: string }[];
  currency: string;
}) {
  const [showTable, setShowTable] = useState(false);
  const plot = plotPoints(ltvSeries(daily), WIDTH, HEIGHT);
  const first = daily[0]?.date;
  const last = daily.at(-1)?.date;
  const summary =
    plot.first === null
      ? "No lifetime value history in this range."
      : `Lifetime value from ${first} to ${last}: ${displayMoney(plot.first, currency)} to ${displayMoney(plot.last!, currency)}, lowest ${displayMoney(plot.min, currency)}, highest ${displayMoney(plot.max, currency)}.`;
  return (
    <div data-testid="ltv-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" height={HEIGHT} role="img" aria-labelledby="ltv-chart-summary" preserveAspectRatio="none">
        <rect x={0} y={0} width={WIDTH} height={HEIGHT} fill="var(--mantine-color-gray-0)" />
        {plot.points && <polyline points={plot.points} fill="none" stroke="var(--mantine-color-blue-7)" strokeWidth={2} vectorEffect="non-scaling-stroke" data-testid="ltv-line" />}
      </svg>
      <Text size="xs" c="dimmed" id="ltv-chart-summary" data-testid="ltv-chart-summary">
        {summary}
      </Text>
      <Anchor component="button" type="button" size="xs" onClick={() => setShowTable(!showTable)} aria-expanded={showTable}>
        {showTable ? "Hide the figures" : "Show the figures as a table"}
      </Anchor>
      {showTable &&
        (changes.length === 0 ? (
          <Text size="sm">No changes in this range.</Text>
        ) : (
          <Table aria-label="Lifetime value changes in the range" data-testid="ltv-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>
                  Change <VisuallyHidden>in {currency}</VisuallyHidden>
                </Table.Th>
                <Table.Th>
                  Lifetime value after <VisuallyHidden>in {currency}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {changes.map((c, i) => (
                <Table.Tr key={`${c.at}-${i}`}>
                  <Table.Td>{new Date(c.at).toLocaleString()}</Table.Td>
                  <Table.Td>{signedMoney(c.delta, currency)}</Table.Td>
                  <Table.Td>{displayMoney(c.lifetimeValue, currency)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ))}
    </div>
  );
}
