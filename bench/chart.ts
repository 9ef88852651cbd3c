/**
 * The drain chart as a plain SVG string: drain time (server and `cat` baseline) and the server's
 * peak RSS against flood size, in two panels side by side.
 *
 * @module
 */

/** One flood size's measurements. */
export interface DrainPoint {
  readonly sizeMb: number;
  readonly drainMs: number;
  readonly baselineMs: number;
  readonly peakMiB: number;
}

const PANEL_W = 380, PANEL_H = 260, LEFT = 56, TOP = 40, BOTTOM = 44, GAP = 40;
const PLOT_W = PANEL_W - LEFT - 16, PLOT_H = PANEL_H - TOP - BOTTOM;

/** A round upper bound for an axis (1, 2 or 5 times a power of ten). */
function niceMax(value: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1e-9)));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
  readonly dashed?: boolean;
}

function panel(
  x0: number,
  title: string,
  unit: string,
  sizes: readonly number[],
  series: readonly Series[],
  yFloor = 0,
): string {
  const xMax = niceMax(Math.max(...sizes));
  const yMax = niceMax(Math.max(yFloor, ...series.flatMap((s) => s.values)) * 1.05);
  const px = (size: number) => x0 + LEFT + (size / xMax) * PLOT_W;
  const py = (value: number) => TOP + PLOT_H - (value / yMax) * PLOT_H;
  const parts: string[] = [
    `<text x="${x0 + LEFT}" y="20" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${
      x0 + LEFT
    }" y="${TOP}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#999"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (yMax * i) / 4;
    const y = py(value);
    parts.push(
      `<line x1="${x0 + LEFT}" y1="${y}" x2="${x0 + LEFT + PLOT_W}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x0 + LEFT - 6}" y="${y + 4}" text-anchor="end">${+value.toPrecision(3)}</text>`,
    );
  }
  for (const size of sizes) {
    parts.push(
      `<text x="${px(size)}" y="${TOP + PLOT_H + 16}" text-anchor="middle">${size}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + LEFT + PLOT_W / 2}" y="${
      PANEL_H - 6
    }" text-anchor="middle">flood size (MB)</text>`,
    `<text transform="translate(${x0 + 14} ${
      TOP + PLOT_H / 2
    }) rotate(-90)" text-anchor="middle">${unit}</text>`,
  );
  series.forEach((s, index) => {
    const points = s.values.map((value, i) => `${px(sizes[i]!)},${py(value)}`).join(" ");
    const dash = s.dashed ? ` stroke-dasharray="5 4"` : "";
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
      ...s.values.map((value, i) =>
        `<circle cx="${px(sizes[i]!)}" cy="${py(value)}" r="3" fill="${s.color}"/>`
      ),
      `<line x1="${x0 + LEFT + 10}" y1="${TOP + 12 + index * 16}" x2="${x0 + LEFT + 30}" y2="${
        TOP + 12 + index * 16
      }" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${x0 + LEFT + 36}" y="${TOP + 16 + index * 16}">${escapeXml(s.label)}</text>`,
    );
  });
  return parts.join("\n");
}

/** Renders `points` (ordered by size) as a standalone SVG document. */
export function renderDrainChart(points: readonly DrainPoint[]): string {
  const sizes = points.map((p) => p.sizeMb);
  const width = PANEL_W * 2 + GAP;
  const time = panel(0, "Drain time", "seconds", sizes, [
    {
      label: "server: until status completed",
      color: "#1f77b4",
      values: points.map((p) => p.drainMs / 1000),
    },
    {
      label: "baseline: | cat > /dev/null",
      color: "#7f7f7f",
      values: points.map((p) => p.baselineMs / 1000),
      dashed: true,
    },
  ]);
  const memory = panel(PANEL_W + GAP, "Server peak RSS (10 MB cap)", "MiB", sizes, [
    { label: "peak RSS (VmHWM)", color: "#d62728", values: points.map((p) => p.peakMiB) },
    { label: "target: 100 MiB", color: "#2ca02c", values: points.map(() => 100), dashed: true },
  ], 100);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_H}" viewBox="0 0 ${width} ${PANEL_H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    time,
    memory,
    "</svg>",
    "",
  ].join("\n");
}
