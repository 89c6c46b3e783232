//! Dashboard charts as inline SVG computed on the server: no script, no chart library, nothing
//! fetched. Display only: values become `f64` for geometry, while every figure printed as text
//! (column totals, tooltips) is passed in already formatted from the exact decimals.

use crate::format::xml_text;
use std::fmt::Write;

/// One coloured series: a value per category, and the text of each value for its tooltip.
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
    pub labels: Vec<String>,
}

const PALETTE: [&str; 9] =
    ["#1f4e8c", "#c2410c", "#15803d", "#7c3aed", "#b45309", "#0e7490", "#be123c", "#64748b", "#a8a29e"];

const PLOT_W: f64 = 520.0;
const PLOT_H: f64 = 220.0;
const LEFT: f64 = 64.0;
const TOP: f64 = 28.0;
const LEGEND_W: f64 = 170.0;

/// A round step (1, 2 or 5 times a power of ten) that cuts `0..=max` into at most five bands.
pub fn nice_step(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag)
}

/// The frame: y grid lines with labels, x labels, the unit, and the legend.
fn frame(categories: &[String], series: &[Series], top: f64, unit: &str, label: &str) -> (String, f64) {
    let step = nice_step(top);
    let ticks = (top / step).ceil().max(1.0) as usize;
    let scale_top = step * ticks as f64;
    let width = LEFT + PLOT_W + LEGEND_W;
    let height = TOP + PLOT_H + 32.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" \
         height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        xml_text(label)
    );
    for t in 0..=ticks {
        let v = step * t as f64;
        let y = TOP + PLOT_H - v / scale_top * PLOT_H;
        let text = if step < 1.0 { format!("{v:.1}") } else { format!("{v:.0}") };
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">{text}</text>",
            LEFT + PLOT_W,
            if t == 0 { "#9ca3af" } else { "#e5e7eb" },
            LEFT - 6.0,
            y + 4.0
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"14\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">{}</text>",
        LEFT - 6.0,
        xml_text(unit)
    );
    let band = PLOT_W / categories.len().max(1) as f64;
    for (i, c) in categories.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#374151\">{}</text>",
            LEFT + band * (i as f64 + 0.5),
            TOP + PLOT_H + 20.0,
            xml_text(c)
        );
    }
    for (k, se) in series.iter().enumerate() {
        let y = TOP + 6.0 + k as f64 * 20.0;
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{y}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#374151\">{}</text>",
            LEFT + PLOT_W + 16.0,
            PALETTE[k % PALETTE.len()],
            LEFT + PLOT_W + 34.0,
            y + 11.0,
            xml_text(&se.name)
        );
    }
    (s, scale_top)
}

/// Stacked columns: a column per category, a segment per series, the column's total (already
/// formatted) above it.
pub fn stacked_columns(categories: &[String], series: &[Series], totals: &[String], unit: &str, label: &str) -> String {
    let sums: Vec<f64> =
        (0..categories.len()).map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0)).sum()).collect();
    let (mut s, scale_top) = frame(categories, series, sums.iter().copied().fold(0.0, f64::max), unit, label);
    let band = PLOT_W / categories.len().max(1) as f64;
    let bar = (band * 0.56).min(56.0);
    for (i, c) in categories.iter().enumerate() {
        let x = LEFT + band * (i as f64 + 0.5) - bar / 2.0;
        let mut base = TOP + PLOT_H;
        for (k, se) in series.iter().enumerate() {
            let v = se.values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let h = v / scale_top * PLOT_H;
            base -= h;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{base:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\">\
                 <title>{} {}：{} {}</title></rect>",
                PALETTE[k % PALETTE.len()],
                xml_text(c),
                xml_text(&se.name),
                xml_text(se.labels.get(i).map_or("", String::as_str)),
                xml_text(unit)
            );
        }
        if let Some(t) = totals.get(i) {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#111827\">{}</text>",
                x + bar / 2.0,
                base - 5.0,
                xml_text(t)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Lines: a polyline per series over the categories, a dot with a tooltip at each value.
pub fn lines(categories: &[String], series: &[Series], unit: &str, label: &str) -> String {
    let top = series.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max);
    let (mut s, scale_top) = frame(categories, series, top, unit, label);
    let band = PLOT_W / categories.len().max(1) as f64;
    for (k, se) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let points: Vec<(f64, f64)> = se
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (LEFT + band * (i as f64 + 0.5), TOP + PLOT_H - v / scale_top * PLOT_H))
            .collect();
        let path: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ =
            write!(s, "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>", path.join(" "));
        for (i, (x, y)) in points.iter().enumerate() {
            let _ = write!(
                s,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"><title>{} {}：{} {}</title></circle>",
                xml_text(categories.get(i).map_or("", String::as_str)),
                xml_text(&se.name),
                xml_text(se.labels.get(i).map_or("", String::as_str)),
                xml_text(unit)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, values: &[f64]) -> Series {
        Series { name: name.into(), values: values.to_vec(), labels: values.iter().map(|v| v.to_string()).collect() }
    }

    #[test]
    fn steps_are_round_and_cover_the_maximum_in_five_bands_or_fewer() {
        for (max, step) in [(1600.9, 500.0), (100.0, 20.0), (7.0, 2.0), (0.3, 0.1), (0.0, 1.0), (158.0, 50.0)] {
            assert_eq!(nice_step(max), step, "max {max}");
            assert!(nice_step(max) * 5.0 >= max);
        }
    }

    #[test]
    fn columns_stack_their_segments_and_print_the_given_totals() {
        let cats = vec!["2022".to_string(), "2023".to_string()];
        let svg = stacked_columns(
            &cats,
            &[series("钢铁", &[300.0, 0.0]), series("<b>", &[100.0, 50.0])],
            &["400.00".into(), "50.00".into()],
            "万元",
            "奖励",
        );
        // Three non-zero segments (a zero is not drawn), escaped names, the totals as given.
        assert_eq!(svg.matches("<rect x=").count() - 2, 3, "two legend swatches, three segments");
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(">400.00</text>") && svg.contains(">50.00</text>"));
        assert!(svg.contains("<title>2022 钢铁：300 万元</title>"));
        // Steps of 100 up to 400: the 2022 column fills the plot, each segment in proportion.
        let h = |v: f64| format!("height=\"{:.1}\"", v / 400.0 * PLOT_H);
        assert!(svg.contains(&h(300.0)) && svg.contains(&h(100.0)));
    }

    #[test]
    fn lines_put_a_dot_with_a_tooltip_on_every_value() {
        let cats: Vec<String> = (2018..=2025).map(|y| y.to_string()).collect();
        let svg = lines(&cats, &[series("规上企业", &[1.0; 8]), series("链主企业", &[2.0; 8])], "家", "企业数");
        assert_eq!(svg.matches("<circle").count(), 16);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("<title>2025 链主企业：2 家</title>"));
    }
}
