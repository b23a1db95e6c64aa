import type { Verdict } from "../store/runs.ts";

const COLORS: Record<Verdict | "none", string> = { GREEN: "#2ea44f", RED: "#cf222e", ERROR: "#bf8700", none: "#6e7781" };

/** A flat SVG badge: "cc-ci | GREEN" in the verdict's colour. */
export function badgeSvg(verdict: Verdict | null): string {
  const label = "cc-ci";
  const value = verdict ?? "no runs";
  const lw = 6 * label.length + 12;
  const vw = 7 * value.length + 12;
  const color = COLORS[verdict ?? "none"];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + vw}" height="20" role="img" aria-label="${label}: ${value}">
<title>${label}: ${value}</title>
<rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${color}"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${label}</text><text x="${lw + vw / 2}" y="14">${value}</text>
</g></svg>`;
}
