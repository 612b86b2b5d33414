//! `vouch history --format html`: one self-contained page (inline CSS and SVG, no script,
//! nothing loaded from elsewhere) with a chart of the report counts over time, the status of
//! each principle and control in each evaluation as a grid, the releases that failed and the
//! open waiver debt. Every stored text is escaped.

use std::fmt::Write as _;

use crate::debt::WaiverDebt;
use crate::history::{History, Trend};

/// Escapes `text` for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;\
text-align:left}.fail,.expired{color:#b00020;font-weight:bold}.pass{color:#1b7f3b}\
svg{display:block;margin:1em 0}.legend span{display:inline-block;margin-right:1em}";

/// The colour of a status in the charts.
fn colour(status: &str) -> &'static str {
    match status {
        "pass" => "#2e9e4f",
        "fail" => "#d32f2f",
        "error" => "#7b1fa2",
        "waived" => "#1976d2",
        "manual" => "#f57c00",
        "not_applicable" => "#9e9e9e",
        _ => "#000000",
    }
}

/// The page for `h` and `debt`.
pub fn page(h: &History, debt: &[WaiverDebt]) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width\">");
    out.push_str("<title>vouch evaluation history</title><style>");
    out.push_str(STYLE);
    out.push_str("</style></head><body>\n<h1>Evaluation history</h1>\n");
    let failed = h.failed.len();
    let _ = writeln!(
        out,
        "<p id=\"totals\">{} evaluations, {} failed the gate, {} open waivers ({} expired).</p>",
        h.evaluations.len(),
        failed,
        debt.len(),
        debt.iter().filter(|d| d.expired).count()
    );
    out.push_str("<section id=\"trend\"><h2>Controls per evaluation</h2>\n");
    counts_chart(&mut out, h);
    out.push_str("<p class=\"legend\">");
    for s in [
        "pass",
        "fail",
        "waived",
        "manual",
        "not_applicable",
        "error",
    ] {
        let _ = write!(
            out,
            "<span><svg width=\"10\" height=\"10\" style=\"display:inline;margin:0\"><rect width=\"10\" height=\"10\" fill=\"{}\"/></svg> {s}</span>",
            colour(s)
        );
    }
    out.push_str("</p></section>\n");
    out.push_str("<section id=\"principles\"><h2>Principles over time</h2>\n");
    grid(&mut out, h, &h.principles);
    out.push_str("</section>\n<section id=\"controls\"><h2>Controls over time</h2>\n");
    grid(&mut out, h, &h.controls);
    out.push_str("</section>\n");
    evaluations(&mut out, h);
    failed_table(&mut out, h);
    debt_section(&mut out, debt);
    out.push_str("</body></html>\n");
    out
}

/// A line per status: how many controls had it in each evaluation, oldest first.
fn counts_chart(out: &mut String, h: &History) {
    let n = h.evaluations.len();
    let max = h
        .evaluations
        .iter()
        .filter_map(|e| e.summary.get("total").copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let (w, ht, pad) = (640.0_f64, 200.0_f64, 30.0_f64);
    let x = |i: usize| {
        if n <= 1 {
            pad + (w - 2.0 * pad) / 2.0
        } else {
            pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| ht - pad - (ht - 2.0 * pad) * v as f64 / max as f64;
    let _ = writeln!(
        out,
        "<svg id=\"trend-chart\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"control counts per evaluation\">"
    );
    let _ = writeln!(
        out,
        "<line x1=\"{pad}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{b}\" stroke=\"#999\"/>",
        b = ht - pad,
        r = w - pad
    );
    let _ = writeln!(
        out,
        "<text x=\"2\" y=\"{}\" font-size=\"10\">{max}</text><text x=\"2\" y=\"{}\" font-size=\"10\">0</text>",
        pad + 4.0,
        ht - pad
    );
    for status in ["pass", "fail", "waived", "manual", "error"] {
        let points: Vec<String> = h
            .evaluations
            .iter()
            .enumerate()
            .map(|(i, e)| {
                format!(
                    "{:.1},{:.1}",
                    x(i),
                    y(e.summary.get(status).copied().unwrap_or(0))
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<polyline class=\"series-{status}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
            colour(status),
            points.join(" ")
        );
        for (i, e) in h.evaluations.iter().enumerate() {
            let v = e.summary.get(status).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"><title>#{} {} {}: {v} {status}</title></circle>",
                x(i),
                y(v),
                colour(status),
                e.seq,
                escape(e.product.as_deref().unwrap_or("-")),
                escape(e.version.as_deref().unwrap_or("-")),
            );
        }
    }
    for (i, e) in h.evaluations.iter().enumerate() {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">#{}</text>",
            x(i),
            ht - pad + 14.0,
            e.seq
        );
    }
    out.push_str("</svg>\n");
}

/// One row per id, one cell per evaluation, coloured by status.
fn grid(out: &mut String, h: &History, trends: &[Trend]) {
    if trends.is_empty() {
        out.push_str("<p>(none)</p>\n");
        return;
    }
    let (label, cell) = (220.0_f64, 14.0_f64);
    let w = label + cell * h.evaluations.len().max(1) as f64 + 4.0;
    let ht = cell * trends.len() as f64 + 4.0;
    let _ = writeln!(
        out,
        "<svg class=\"grid\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\">"
    );
    for (row, t) in trends.iter().enumerate() {
        let top = row as f64 * cell;
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            top + cell - 3.0,
            escape(&t.id)
        );
        for p in &t.points {
            let Some(col) = h.evaluations.iter().position(|e| e.seq == p.seq) else {
                continue;
            };
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} #{} as of {}: {}</title></rect>",
                label + col as f64 * cell,
                cell - 2.0,
                cell - 2.0,
                colour(&p.status),
                escape(&t.id),
                p.seq,
                escape(&p.as_of),
                escape(&p.status)
            );
        }
    }
    out.push_str("</svg>\n");
}

fn evaluations(out: &mut String, h: &History) {
    out.push_str("<section id=\"evaluations\"><h2>Evaluations</h2>\n<table><thead><tr><th>#</th><th>recorded</th><th>product</th><th>version</th><th>as of</th><th>gate</th><th>pass</th><th>fail</th><th>waived</th><th>manual</th><th>error</th></tr></thead><tbody>\n");
    for e in &h.evaluations {
        let count = |k: &str| e.summary.get(k).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            escape(&e.recorded_at),
            escape(e.product.as_deref().unwrap_or("-")),
            escape(e.version.as_deref().unwrap_or("-")),
            escape(&e.as_of),
            if e.gate == "pass" { "pass" } else { "fail" },
            escape(&e.gate),
            count("pass"),
            count("fail"),
            count("waived"),
            count("manual"),
            count("error"),
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn failed_table(out: &mut String, h: &History) {
    out.push_str("<section id=\"failed\"><h2>Failed releases</h2>\n");
    if h.failed.is_empty() {
        out.push_str("<p>(none)</p></section>\n");
        return;
    }
    out.push_str("<table><thead><tr><th>#</th><th>product</th><th>version</th><th>as of</th><th>controls</th></tr></thead><tbody>\n");
    for f in &h.failed {
        let _ = writeln!(
            out,
            "<tr class=\"failed-release\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            f.seq,
            escape(f.product.as_deref().unwrap_or("-")),
            escape(f.version.as_deref().unwrap_or("-")),
            escape(&f.as_of),
            escape(&f.controls.join(", "))
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn debt_section(out: &mut String, debt: &[WaiverDebt]) {
    out.push_str("<section id=\"waiver-debt\"><h2>Open waiver debt</h2>\n<p>The waivers of each product's latest evaluation, days counted from its as-of date.</p>\n");
    if debt.is_empty() {
        out.push_str("<p>(none)</p></section>\n");
        return;
    }
    out.push_str("<table><thead><tr><th>product</th><th>version</th><th>#</th><th>waiver</th><th>control</th><th>state</th><th>expires</th><th>days to expiry</th><th>approver</th></tr></thead><tbody>\n");
    for d in debt {
        let _ = writeln!(
            out,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if d.expired { " class=\"expired\"" } else { "" },
            escape(d.product.as_deref().unwrap_or("-")),
            escape(d.version.as_deref().unwrap_or("-")),
            d.seq,
            escape(&d.id),
            escape(&d.control),
            escape(&d.state),
            escape(&d.expires),
            if d.expired {
                format!("{} (expired)", d.days_to_expiry)
            } else {
                d.days_to_expiry.to_string()
            },
            escape(&d.approver)
        );
    }
    out.push_str("</tbody></table></section>\n");
}
