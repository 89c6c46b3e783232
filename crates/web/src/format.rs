//! Numbers as a Chinese reader expects them.

use lianzhang_facts::{Fen, format_yuan};
use rust_decimal::Decimal;

/// Text for SVG built by hand (chain maps, charts): `&`, `<`, `>` and `"` escaped.
pub fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Fen as 万元 with two places: `1,234.56`.
pub fn wan(fen: i64) -> String {
    let d = Fen(fen).to_yuan() / Decimal::from(10_000);
    format_yuan(d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// Fen as 亿元 with two places.
pub fn yi(fen: &i64) -> String {
    let d = Fen(*fen).to_yuan() / Decimal::from(100_000_000);
    format_yuan(d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// Yuan with thousands separators.
pub fn yuan(d: Decimal) -> String {
    format_yuan(d)
}

/// 是 / 否 / — (unknown).
pub fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "是",
        Some(false) => "否",
        None => "—",
    }
}

/// A yuan amount as 万元 with two places.
pub fn wan_yuan(d: &Decimal) -> String {
    let w = *d / Decimal::from(10_000);
    format_yuan(w.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// A small line chart (inline SVG) of yearly values; gaps where a value is unknown. Display
/// only: floats are fine here, no amount is computed from them.
pub fn sparkline(points: &[(i32, Option<f64>)]) -> String {
    let (w, h, pad) = (220.0, 48.0, 4.0);
    let known: Vec<f64> = points.iter().filter_map(|p| p.1).collect();
    if known.is_empty() {
        return "<span class=\"muted\">无数据</span>".into();
    }
    let (lo, hi) = known.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = if points.len() > 1 { (w - 2.0 * pad) / (points.len() - 1) as f64 } else { 0.0 };
    let mut path = String::new();
    let mut dots = String::new();
    let mut pen_down = false;
    for (i, (year, v)) in points.iter().enumerate() {
        let Some(v) = v else {
            pen_down = false;
            continue;
        };
        let x = pad + step * i as f64;
        let y = h - pad - (v - lo) / span * (h - 2.0 * pad);
        path.push_str(&format!("{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" }));
        dots.push_str(&format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2\"><title>{year}</title></circle>"));
        pen_down = true;
    }
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\">\
         <path d=\"{path}\" fill=\"none\" stroke=\"#1f4e8c\" stroke-width=\"1.5\"/>\
         <g fill=\"#1f4e8c\">{dots}</g></svg>"
    )
}

/// A stored UTC timestamp as Beijing time (UTC+8 all year): `2026-11-25 19:12:05`.
pub fn beijing(stored: &str) -> String {
    match stored.parse::<jiff::Timestamp>() {
        Ok(t) => match jiff::Timestamp::from_second(t.as_second() + 8 * 3600) {
            Ok(local) => local.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            Err(_) => stored.to_string(),
        },
        Err(_) => stored.to_string(),
    }
}

/// Today's date in Beijing (UTC+8 all year): the default date of the forms and "this month".
pub fn beijing_today() -> jiff::civil::Date {
    jiff::tz::Offset::constant(8).to_datetime(jiff::Timestamp::now()).date()
}

#[cfg(test)]
mod tests {
    #[test]
    fn beijing_time_is_utc_plus_eight() {
        assert_eq!(super::beijing("2026-11-25T11:12:05.088718037Z"), "2026-11-25 19:12:05");
        assert_eq!(super::beijing("2026-12-31T20:00:00Z"), "2027-01-01 04:00:00");
        assert_eq!(super::beijing("not a time"), "not a time");
    }
}
