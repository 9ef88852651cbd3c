/**
 * What containment costs: execute → output visible and 50 jobs at once, contained (bubblewrap)
 * against `MCP_BG_CONTAINMENT=off`, interleaved in one run so machine load hits both alike.
 *
 * @module
 */
import { startSettled } from "./settled.ts";
import { containmentAvailability } from "../lib/jobs/containment.ts";
import { fiftyJobs, median, outputVisible } from "./job_latency.ts";

const OFF = { MCP_BG_CONTAINMENT: "off" };
const CONTAINED = { MCP_BG_CONTAINMENT: "required" };
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Table rows (measurement, result, compared with, target) for the benchmark report. */
export async function containmentRows(quick: boolean): Promise<[string, string, string, string][]> {
  const { available, reason } = containmentAvailability();
  if (!available) {
    return [["Containment overhead", "not measured", `containment unavailable: ${reason}`, ""]];
  }
  const rounds = quick ? 3 : 7;
  const visibleOff: number[] = [], visibleContained: number[] = [];
  const fiftyOff: number[] = [], fiftyContained: number[] = [];
  {
    await using off = await startSettled({ env: OFF });
    await using contained = await startSettled({ env: CONTAINED });
    await outputVisible(off, 2); // warm both servers up
    await outputVisible(contained, 2);
    for (let round = 0; round < rounds; round++) {
      visibleOff.push(...await outputVisible(off, 5));
      visibleContained.push(...await outputVisible(contained, 5));
    }
  }
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    fiftyOff.push(...await fiftyJobs(OFF, 1));
    fiftyContained.push(...await fiftyJobs(CONTAINED, 1));
  }
  const added = median(visibleContained) - median(visibleOff);
  return [
    [
      "`execute_command` until output visible, contained (p50)",
      ms(median(visibleContained)),
      `off: ${ms(median(visibleOff))}; contained adds ${ms(added)}`,
      "adds ≤ 15 ms",
    ],
    [
      "50 jobs at once until all ended, contained",
      ms(median(fiftyContained)),
      `off: ${ms(median(fiftyOff))} (${(median(fiftyContained) / median(fiftyOff)).toFixed(2)}×)`,
      "",
    ],
  ];
}
