# SPDX-License-Identifier: MIT
"""report.svg, drawn by hand (standard library only): per job, the total
latency by percentile of each engine on a log scale, and its IOPS as bars
from the lowest to the highest repetition."""

import math

from . import ENGINE
from .modes import column
from .report import how_lines, result_title

# The engine's completion modes in pink and brown, near its red; the twins in
# blue, green, purple and orange.
COLORS = {ENGINE: "#d62728", column("interrupt"): "#e377c2", column("hybrid"): "#8c564b",
          "io_uring": "#1f77b4", "io_uring-hipri": "#2ca02c",
          "io_uring_cmd": "#9467bd", "io_uring_cmd-hipri": "#ff7f0e"}
SPARE_COLORS = ["#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2"]
ROW_H = 300
# The IOPS panel's names, slanted, reach below their row by about 2.3 px a
# character. The row was laid out for the twins' longest (io_uring_cmd-hipri);
# longer names (fio-vfio-nvme-interrupt) push the next row and the settings
# lines down, clear of them.
NAME_CHARS = 18


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def color_of(name, order):
    return COLORS.get(name) or SPARE_COLORS[order.index(name) % len(SPARE_COLORS)]


def nines(p):
    """Percentile to an x position where 90, 99, 99.9 and 99.99 are evenly spaced."""
    return -math.log10(max(1e-6, 1 - p / 100.0))


def svg_panel_latency(x0, y0, w, h, r, order):
    out = []
    curves = {n: [(float(p), v) for p, v in e.get("lat_percentiles", {}).items() if v > 0]
              for n, e in r["engines"].items()}
    vals = [v for c in curves.values() for _, v in c]
    out.append(f'<text x="{x0 + w / 2}" y="{y0 - 8}" text-anchor="middle" '
               f'font-size="12">total latency (fio lat) by percentile, us</text>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#888"/>')
    if not vals:
        out.append(f'<text x="{x0 + w / 2}" y="{y0 + h / 2}" text-anchor="middle">'
                   'no percentiles</text>')
        return out
    lo = 10 ** math.floor(math.log10(min(vals)))
    hi = 10 ** math.ceil(math.log10(max(vals)))
    if hi <= lo:
        hi = lo * 10
    xmax = nines(99.99)

    def px(p):
        return x0 + nines(p) / xmax * w

    def py(v):
        return y0 + h - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * h

    d = lo
    while d <= hi * 1.0001:
        for k in (1, 2, 5):
            v = d * k
            if lo <= v <= hi:
                y = py(v)
                out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" '
                           f'stroke="#ddd" stroke-width="{1 if k == 1 else 0.5}"/>')
                label = f"{v:,.0f}" if v >= 1 else f"{v:g}"
                out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end" '
                           f'font-size="10">{label}</text>')
        d *= 10
    for p in (0, 50, 90, 99, 99.9, 99.99):
        x = px(p)
        out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + h}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{y0 + h + 14}" text-anchor="middle" '
                   f'font-size="10">p{p:g}</text>')
    for i, (name, c) in enumerate(curves.items()):
        col = color_of(name, order)
        pts = " ".join(f"{px(p):.1f},{py(v):.1f}" for p, v in sorted(c))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{col}" stroke-width="2"/>')
        for p, v in c:
            out.append(f'<circle cx="{px(p):.1f}" cy="{py(v):.1f}" r="2.5" fill="{col}"/>')
        ly = y0 + 14 + i * 15
        out.append(f'<line x1="{x0 + 8}" y1="{ly - 4}" x2="{x0 + 28}" y2="{ly - 4}" '
                   f'stroke="{col}" stroke-width="2"/>')
        out.append(f'<text x="{x0 + 32}" y="{ly}" font-size="11">{esc(name)}</text>')
    return out


def svg_panel_iops(x0, y0, w, h, r, order):
    out = [f'<text x="{x0 + w / 2}" y="{y0 - 8}" text-anchor="middle" font-size="12">'
           'IOPS (median; bar: lowest to highest)</text>',
           f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#888"/>']
    names = list(r["engines"])
    top = max([r["engines"][n]["max"].get("iops", 0) for n in names] + [1]) * 1.15
    slot = w / max(1, len(names))
    for i, n in enumerate(names):
        e = r["engines"][n]
        med, lo, hi = (e[k].get("iops", 0) for k in ("median", "min", "max"))
        bx, bw = x0 + i * slot + slot * 0.2, slot * 0.6
        by = y0 + h - med / top * h
        out.append(f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bw:.1f}" height="{y0 + h - by:.1f}" '
                   f'fill="{color_of(n, order)}"/>')
        cx, whisker_top = bx + bw / 2, y0 + h - hi / top * h
        out.append(f'<line x1="{cx:.1f}" y1="{whisker_top:.1f}" x2="{cx:.1f}" '
                   f'y2="{y0 + h - lo / top * h:.1f}" stroke="#000" stroke-width="1.5"/>')
        # Six engines and more: the numbers would touch at 11.
        out.append(f'<text x="{cx:.1f}" y="{min(by, whisker_top) - 4:.1f}" '
                   f'text-anchor="middle" font-size="{11 if len(names) <= 5 else 9}">'
                   f'{med:,.0f}</text>')
        # Slanted: five engines' names do not fit side by side.
        out.append(f'<text x="{cx:.1f}" y="{y0 + h + 12}" text-anchor="end" font-size="10" '
                   f'transform="rotate(-25 {cx:.1f} {y0 + h + 12})">{esc(n)}</text>')
    return out


def svg_report(report):
    results = report["results"]
    order = []
    for r in results:
        order += [n for n in r["engines"] if n not in order]
    longest = max((len(n) for n in order), default=0)
    row_h = ROW_H + (math.ceil((longest - NAME_CHARS) * 2.33) + 14 if longest > NAME_CHARS else 0)
    width = 980
    how = how_lines(report)
    height = 40 + row_h * max(1, len(results)) + (20 + 15 * len(how) if how else 0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" font-family="sans-serif">',
             '<rect width="100%" height="100%" fill="#fff"/>',
             f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">'
             f'{ENGINE} and its twins, same controller, same core</text>']
    for i, r in enumerate(results):
        y = 40 + i * row_h
        parts.append(f'<text x="12" y="{y + 16}" font-size="13" font-weight="bold">'
                     f'{esc(result_title(r))}</text>')
        parts += svg_panel_latency(70, y + 48, 520, ROW_H - 90, r, order)
        parts += svg_panel_iops(650, y + 48, 310, ROW_H - 90, r, order)
    # Each engine's settings under the panels, in its colour.
    y = 40 + row_h * max(1, len(results)) + 10
    for line in how:
        name = line.strip().split(":", 1)[0]
        col = color_of(name, order) if name in order or name in COLORS else "#000"
        parts.append(f'<text x="12" y="{y}" font-size="11" fill="{col}">'
                     f'{esc(line.strip())}</text>')
        y += 15
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
