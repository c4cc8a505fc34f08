/**
 * A run's `curves.svg`: the training losses (left) and the validation Dice of WT, TC, ET and
 * their mean (right) against the epoch, drawn from the log. Plain SVG, no dependencies.
 * May depend on: ./log (types).
 */
import type { LogEntry } from './log.js';

const WIDTH = 960;
const HEIGHT = 360;
const PANEL = { width: 400, height: 260, top: 50, left: [70, 550] };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

interface Series {
  name: string;
  points: [number, number][];
}

/** A number short enough for an axis label. */
function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A round tick step (1, 2 or 5 times a power of ten) near `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/** One panel: axes, ticks, a polyline and dots per series, a legend. */
function panel(
  title: string,
  left: number,
  series: Series[],
  xMax: number,
  yRange?: [number, number],
): string {
  const { width, height, top } = PANEL;
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const low = yRange ? yRange[0] : Math.min(0, ...values);
  const high = yRange ? yRange[1] : Math.max(...values, 1e-12);
  const tick = yRange ? (yRange[1] - yRange[0]) / 4 : niceStep((high - low) / 4);
  const yMin = yRange ? low : Math.floor(low / tick) * tick;
  const yMax = yRange ? high : Math.max(Math.ceil(high / tick) * tick, yMin + tick);
  const xMin = 1;
  const xSpan = Math.max(xMax - xMin, 1);
  const x = (e: number): number => left + ((e - xMin) / xSpan) * width;
  const y = (v: number): number => top + height - ((v - yMin) / (yMax - yMin)) * height;
  const out: string[] = [];
  out.push(
    `<text x="${left + width / 2}" y="${top - 18}" text-anchor="middle" font-size="15">${escape(title)}</text>`,
  );
  out.push(`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#444"/>`);

  // y ticks
  for (let i = 0; yMin + i * tick <= yMax + tick * 1e-9; i++) {
    const v = yMin + i * tick;
    out.push(`<line x1="${left}" x2="${left + width}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${label(v)}</text>`);
  }

  // x ticks: at most 10, whole epochs
  const step = Math.max(1, Math.ceil(xSpan / 10));
  for (let e = xMin; e <= Math.max(xMax, xMin); e += step) {
    out.push(`<text x="${x(e)}" y="${top + height + 16}" text-anchor="middle" font-size="11">${e}</text>`);
  }
  out.push(
    `<text x="${left + width / 2}" y="${top + height + 34}" text-anchor="middle" font-size="12">epoch</text>`,
  );

  // the series, then the legend on a pale box over them
  const legendWidth = 40 + 7 * Math.max(0, ...series.map((s) => s.name.length));
  const legend = [
    `<rect x="${left + 4}" y="${top + 2}" width="${legendWidth}" height="${16 * series.length + 6}" fill="white" fill-opacity="0.85"/>`,
  ];
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = s.points.filter((p) => Number.isFinite(p[1]));
    if (points.length > 1) {
      const path = points.map(([e, v]) => `${x(e).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.8" points="${path}"/>`);
    }
    for (const [e, v] of points)
      out.push(`<circle cx="${x(e).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    const ly = top + 14 + 16 * i;
    legend.push(
      `<line x1="${left + 10}" x2="${left + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"/>`,
    );
    legend.push(`<text x="${left + 32}" y="${ly}" font-size="12">${escape(s.name)}</text>`);
  });
  return [...out, ...legend].join('\n');
}

/**
 * Draws the curves of a run's log as an SVG document.
 * @param entries - the log, in epoch order
 * @param title - printed on top (the run's stage and folder)
 * @returns the SVG text
 */
export function renderCurves(entries: readonly LogEntry[], title: string): string {
  const xMax = entries.length === 0 ? 1 : Math.max(...entries.map((e) => e.epoch));
  const lossNames = [...new Set(entries.flatMap((e) => Object.keys(e.losses)))].filter(
    (n) => n !== 'accuracy',
  );
  const losses: Series[] = lossNames.map((name) => ({
    name,
    points: entries.map((e) => [e.epoch, e.losses[name]] as [number, number]),
  }));
  const dice: Series[] = (['WT', 'TC', 'ET', 'mean'] as const).map((r) => ({
    name: r === 'mean' ? 'mean (selects best)' : r,
    points: entries.map((e) => [e.epoch, e.validation[r]] as [number, number]),
  }));
  const best = entries.filter((e) => e.best).pop();
  const note = best
    ? `best: epoch ${best.epoch}, mean Dice ${best.validation.mean.toFixed(3)}`
    : 'no epoch yet';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13">${escape(`${title} (${note})`)}</text>`,
    panel('training loss (mean per epoch)', PANEL.left[0], losses, xMax),
    panel('validation Dice (BraTS form)', PANEL.left[1], dice, xMax, [0, 1]),
    '</svg>',
    '',
  ].join('\n');
}
