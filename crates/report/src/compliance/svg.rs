//! Inline SVG charts: a donut and a stacked bar. No script, no external reference; each segment
//! carries a `<title>`, which browsers show on hover.

use std::fmt::Write as _;

/// A part of a chart: its size, its CSS colour and what it is.
pub struct Segment<'a> {
    pub value: u64,
    pub color: &'a str,
    pub label: &'a str,
}

/// A ring split into `segments`, with `center` written large in the middle and `below` under it.
pub fn donut(segments: &[Segment], center: &str, below: &str, size: u32) -> String {
    let total: u64 = segments.iter().map(|s| s.value).sum();
    // r = 100 / 2π: the circumference is 100, so dash lengths are percentages.
    let mut out = format!(
        "<svg class=\"donut\" viewBox=\"0 0 42 42\" width=\"{size}\" height=\"{size}\" role=\"img\" aria-label=\"{}\">\
         <circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"#eceff1\" stroke-width=\"5\"></circle>",
        super::html::escape(&format!("{center} {below}"))
    );
    let mut offset = 25.0; // start at twelve o'clock
    for s in segments.iter().filter(|s| s.value > 0) {
        let pct = 100.0 * s.value as f64 / total as f64;
        let _ = write!(
            out,
            "<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"{}\" stroke-width=\"5\" \
             stroke-dasharray=\"{pct:.3} {:.3}\" stroke-dashoffset=\"{offset:.3}\"><title>{}: {}</title></circle>",
            s.color,
            100.0 - pct,
            super::html::escape(s.label),
            s.value
        );
        offset -= pct;
    }
    let _ = write!(
        out,
        "<text x=\"21\" y=\"21\" text-anchor=\"middle\" class=\"donut-center\">{}</text>\
         <text x=\"21\" y=\"26.5\" text-anchor=\"middle\" class=\"donut-below\">{}</text></svg>",
        super::html::escape(center),
        super::html::escape(below)
    );
    out
}

/// A horizontal bar `width` wide, split in proportion to `segments`.
pub fn stacked_bar(segments: &[Segment], width: u32, height: u32) -> String {
    let total: u64 = segments.iter().map(|s| s.value).sum();
    let mut out = format!("<svg class=\"bar\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">");
    if total == 0 {
        let _ = write!(out, "<rect width=\"{width}\" height=\"{height}\" rx=\"3\" fill=\"#eceff1\"></rect>");
    }
    let mut x = 0.0;
    for s in segments.iter().filter(|s| s.value > 0 && total > 0) {
        let w = f64::from(width) * s.value as f64 / total as f64;
        let _ = write!(
            out,
            "<rect x=\"{x:.2}\" width=\"{w:.2}\" height=\"{height}\" fill=\"{}\"><title>{}: {}</title></rect>",
            s.color,
            super::html::escape(s.label),
            s.value
        );
        x += w;
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn donut_segments_add_up_to_the_circle_and_skip_empty_parts() {
        let svg = donut(
            &[
                Segment { value: 3, color: "green", label: "passed" },
                Segment { value: 0, color: "grey", label: "none" },
                Segment { value: 1, color: "red", label: "failed" },
            ],
            "75%",
            "passed",
            120,
        );
        assert!(svg.contains("stroke-dasharray=\"75.000 25.000\" stroke-dashoffset=\"25.000\""), "{svg}");
        assert!(svg.contains("stroke-dasharray=\"25.000 75.000\" stroke-dashoffset=\"-50.000\""), "{svg}");
        assert!(!svg.contains("none: 0"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn bar_widths_are_proportional() {
        let svg = stacked_bar(
            &[Segment { value: 1, color: "a", label: "x" }, Segment { value: 3, color: "b", label: "y" }],
            200,
            10,
        );
        assert!(svg.contains("<rect x=\"0.00\" width=\"50.00\""), "{svg}");
        assert!(svg.contains("<rect x=\"50.00\" width=\"150.00\""), "{svg}");
        assert!(stacked_bar(&[], 200, 10).contains("fill=\"#eceff1\""), "an empty bar is drawn grey");
    }
}
