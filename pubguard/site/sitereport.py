"""Reports people read: one self-contained HTML file (totals, sections, charts, trend, findings
table with masked evidence and links) and an XLSX workbook for Excel users."""

from __future__ import annotations

import html
import io
import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

from pubguard.finding import CATEGORY_LABELS, SEVERITY_COLOURS, SEVERITY_LABELS, Severity
from pubguard.labels import rule_label
from pubguard.report import summarise
from pubguard.report.cells import safe_row
from pubguard.scan import FileResult
from pubguard.sitetime import now_local, site_timezone

SEV_COLOURS = {str(k): v for k, v in SEVERITY_COLOURS.items()}  # the web UI's colours


def section_of(path: str) -> str:
    """Site section (栏目) of a page: first path segment of its URL or relative path."""
    p = urlparse(path).path if "://" in path else path
    parts = [x for x in p.strip("/").split("/") if x]
    return parts[0] if len(parts) > 1 else "（根目录）"


def _bar_chart(counts: dict[str, int], labels: dict[str, str], colours: dict[str, str] | None = None) -> str:
    if not counts:
        return "<p>无</p>"
    top = max(counts.values()) or 1
    rows = []
    for i, (key, value) in enumerate(counts.items()):
        width = 360 * value / top
        colour = (colours or {}).get(key, "#3f6fb5")
        y = i * 26
        rows.append(
            f'<text x="0" y="{y + 16}" font-size="13">{html.escape(labels.get(key, key))}</text>'
            f'<rect x="150" y="{y + 3}" width="{width:.1f}" height="18" fill="{colour}"/>'
            f'<text x="{155 + width:.1f}" y="{y + 16}" font-size="12">{value}</text>'
        )
    return f'<svg width="580" height="{len(counts) * 26 + 6}" role="img">{"".join(rows)}</svg>'


def _trend_chart(points: list[tuple[str, int]]) -> str:
    if len(points) < 2:
        return "<p>历史记录不足两次，暂无趋势。</p>"
    top = max(v for _, v in points) or 1
    w, h = 560, 160
    step = w / (len(points) - 1)
    coords = [(i * step + 20, h - 20 - (h - 40) * v / top) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#d84315"><title>{html.escape(label)}：{v}</title></circle>'
        for (x, y), (label, v) in zip(coords, points, strict=True)
    )
    return (
        f'<svg width="{w + 40}" height="{h}" role="img"><polyline points="{path}" fill="none" stroke="#d84315" '
        f'stroke-width="2"/>{dots}<text x="20" y="{h - 4}" font-size="11">{html.escape(points[0][0])}</text>'
        f'<text x="{w - 100}" y="{h - 4}" font-size="11">{html.escape(points[-1][0])}</text></svg>'
    )


def load_history(folder: Path) -> list[tuple[str, int]]:
    points = []
    for p in sorted(folder.glob("summary-*.json")):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            points.append((data["time"], int(data["total_findings"])))
        except (OSError, ValueError, KeyError):
            continue
    return points


def save_history(folder: Path, summary: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    at = now_local()
    now = at.strftime("%Y-%m-%d %H:%M:%S")
    stamp = at.strftime("%Y%m%d-%H%M%S-%f")
    data = {"time": now, **summary}
    (folder / f"summary-{stamp}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def to_html(results: list[FileResult], summary_extra: dict | None = None, history: Path | None = None) -> str:
    summary = summarise(results)
    summary.update(summary_extra or {})
    if history is not None:
        save_history(history, summary)
    trend = load_history(history) if history is not None else []
    by_cat: Counter[str] = Counter()
    by_sev: Counter[str] = Counter()
    by_section: Counter[str] = Counter()
    rows = []
    for r in results:
        for f in r.findings:
            by_cat[str(f.category)] += 1
            by_sev[str(f.severity)] += 1
            by_section[section_of(r.path)] += 1
            link = html.escape(r.path)
            href = f'<a href="{link}">{link}</a>' if "://" in r.path else link
            page = f"第{f.location.page}页" if f.location.page else ""
            sev = str(f.severity)
            cat = str(f.category)
            rows.append(
                f'<tr class="sev-{sev}" data-sev="{sev}" data-rank="{Severity(sev).rank}" data-cat="{html.escape(cat)}">'
                f'<td><span class="sev sev-{sev}">{SEVERITY_LABELS[Severity(sev)]}</span></td>'
                f"<td>{html.escape(CATEGORY_LABELS.get(cat, cat))}<br><small>{html.escape(rule_label(f.rule))}</small></td>"
                f'<td data-key="{link}\t{f.location.page or 0:06d}">{href} {page}</td><td>{html.escape(f.message)}</td>'
                f"<td><code>{html.escape(f.evidence)}</code></td><td>{html.escape(f.suggestion)}</td></tr>"
            )
    errors = "".join(
        f"<tr><td>{html.escape(r.path)}</td><td>{html.escape(r.error or '')}</td></tr>"
        for r in results
        if r.status == "error"
    )
    sev_order = {s.value: by_sev[s.value] for s in Severity if by_sev[s.value]}
    cat_labels = {str(k): v for k, v in CATEGORY_LABELS.items()}
    sev_labels = {str(k): v for k, v in SEVERITY_LABELS.items()}
    sections = dict(by_section.most_common(20))
    extra = ""
    if summary.get("baseline_suppressed") is not None:
        extra += f"<li>基线抑制：{summary['baseline_suppressed']} 项，未使用的基线条目 {len(summary.get('baseline_unused', []))} 条</li>"
    extra += f"<li>页面内 pubguard:allow 抑制：{summary.get('inline_suppressed', 0)} 项</li>"
    extra += f"<li>增量缓存命中：{summary.get('cached', 0)} 个文件</li>"
    templates = [
        f.details.boilerplate for r in results for f in r.findings if f.details.boilerplate is not None
    ]
    if templates:
        extra += (
            f"<li>网站模板重复内容：{len(templates)} 项，共在 {sum(t.pages for t in templates)} 个页面上重复，"
            "每项仅在首个页面报告一次</li>"
        )
    tz = site_timezone()
    tz_label = "北京时间" if getattr(tz, "key", "") in ("Asia/Shanghai", "") else str(tz)
    sev_css = "".join(
        f"span.sev-{k}{{background:{c}}} tr.sev-{k} td:first-child{{border-left:4px solid {c}}}"
        for k, c in SEV_COLOURS.items()
    )
    sev_options = "".join(
        f'<option value="{k}">{html.escape(sev_labels[k])}（{n}）</option>' for k, n in sev_order.items()
    )
    cat_options = "".join(
        f'<option value="{html.escape(k)}">{html.escape(cat_labels.get(k, k))}（{n}）</option>'
        for k, n in sorted(by_cat.items())
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>PubGuard 网站内容检查报告</title>
<style>
body{{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}}
h1{{font-size:1.6em}} table{{border-collapse:collapse;width:100%;font-size:13px}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top}} th{{background:#f0f3f8}}
.cards{{display:flex;gap:1em}} .card{{border:1px solid #ddd;padding:.8em 1.2em;border-radius:6px}}
.card b{{font-size:1.6em;display:block}} code{{background:#f6f6f6}}
.sev{{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;color:#fff;white-space:nowrap}} span.sev-medium{{color:#222}}
{sev_css}
.filters{{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin:.5em 0}} .filters input{{min-width:16em}}
#findings th[data-sort]{{cursor:pointer;user-select:none}} #findings th[data-sort]::after{{content:" ↕";color:#999}}
#findings th.asc::after{{content:" ↑";color:#222}} #findings th.desc::after{{content:" ↓";color:#222}}
</style></head><body>
<h1>PubGuard 网站内容检查报告</h1>
<p>生成时间：{now_local().strftime("%Y-%m-%d %H:%M")}（{html.escape(tz_label)}）</p>
<div class="cards">
<div class="card">检查文件<b>{summary["files"]}</b></div>
<div class="card">无法检查<b>{summary["errors"]}</b></div>
<div class="card">发现问题<b>{summary["total_findings"]}</b></div>
<div class="card">阻断/高<b>{by_sev["blocker"] + by_sev["high"]}</b></div>
</div>
<ul>{extra}</ul>
<h2>按问题类别</h2>{_bar_chart(dict(by_cat.most_common()), cat_labels)}
<h2>按严重程度</h2>{_bar_chart(sev_order, sev_labels, SEV_COLOURS)}
<h2>按栏目</h2>{_bar_chart(sections, {})}
<h2>历次检查趋势</h2>{_trend_chart(trend) if history is not None else "<p>未指定历史文件夹（--history）。</p>"}
<h2>问题清单</h2>
<div class="filters" id="filters">
<label>级别 <select id="f-sev"><option value="">全部</option>{sev_options}</select></label>
<label>类别 <select id="f-cat"><option value="">全部</option>{cat_options}</select></label>
<label>搜索 <input id="f-text" type="search" placeholder="文件、说明或证据中的文字"></label>
<span id="f-count">共 {len(rows)} 项</span>
</div>
<table id="findings"><thead><tr><th data-sort="rank">级别</th><th data-sort="text">类别</th><th data-sort="key">位置</th><th data-sort="text">说明</th><th>证据（已脱敏）</th><th>建议</th></tr></thead>
<tbody>{"".join(rows) or '<tr><td colspan="6">未发现问题。</td></tr>'}</tbody></table>
<h2>无法检查的文件</h2>
<table><tr><th>文件</th><th>原因</th></tr>{errors or '<tr><td colspan="2">无</td></tr>'}</table>
<script>{_TABLE_SCRIPT}</script>
</body></html>
"""


# Filtering and sorting of the findings table: plain script inside the file (the report is one
# self-contained file, opened offline; no library, no CDN).
_TABLE_SCRIPT = """
(function () {
  var table = document.getElementById("findings");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-sev]"));
  var sev = document.getElementById("f-sev"), cat = document.getElementById("f-cat");
  var text = document.getElementById("f-text"), count = document.getElementById("f-count");
  function apply() {
    var q = text.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (tr) {
      var ok = (!sev.value || tr.dataset.sev === sev.value) && (!cat.value || tr.dataset.cat === cat.value) &&
        (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown === rows.length ? "共 " + rows.length + " 项" : "显示 " + shown + " / " + rows.length + " 项";
  }
  [sev, cat].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    if (!th.dataset.sort) return;
    th.addEventListener("click", function () {
      var dir = th.classList.contains("desc") ? 1 : th.classList.contains("asc") ? -1 : (th.dataset.sort === "rank" ? -1 : 1);
      Array.prototype.forEach.call(heads, function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(dir === 1 ? "asc" : "desc");
      function key(tr) {
        if (th.dataset.sort === "rank") return Number(tr.dataset.rank);
        var cell = tr.cells[col];
        return cell.dataset.key || cell.textContent;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return c * dir;
      });
      rows.forEach(function (tr) { body.appendChild(tr); });
    });
  });
})();
"""


def to_xlsx(results: list[FileResult]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    head = [
        "文件/页面",
        "栏目",
        "级别",
        "类别",
        "规则",
        "说明",
        "证据（已脱敏）",
        "页码",
        "建议",
        "依据",
        "指纹",
        "规则标识",
    ]
    ws.append(head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in results:
        for f in r.findings:
            ws.append(safe_row([
                r.path, section_of(r.path), SEVERITY_LABELS[Severity(f.severity)],
                CATEGORY_LABELS.get(f.category, f.category), rule_label(f.rule), f.message, f.evidence,
                f.location.page, f.suggestion, f.basis, f.fingerprint, f"{f.category}/{f.rule}",
            ]))  # fmt: skip
    err = wb.create_sheet("无法检查")
    err.append(["文件/页面", "原因"])
    for r in results:
        if r.status == "error":
            err.append(safe_row([r.path, r.error]))
    summ = wb.create_sheet("汇总")
    s = summarise(results)
    summ.append(["检查文件", s["files"]])
    summ.append(["无法检查", s["errors"]])
    summ.append(["发现问题", s["total_findings"]])
    for k, v in s["by_category"].items():
        summ.append([CATEGORY_LABELS.get(k, k), v])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
