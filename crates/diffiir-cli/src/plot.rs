//! PNG plots (plotters, bitmap backend, embedded DejaVu Sans — no system fonts needed): the fit (target vs
//! fitted magnitude on a log-frequency axis, and the loss curve) and a filter's magnitude and phase response.

use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn font() -> Result<(), String> {
    static ONCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *ONCE.get_or_init(|| plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok());
    ok.then_some(()).ok_or_else(|| "the embedded plot font could not be loaded".to_string())
}

fn e<T: std::fmt::Debug>(err: T) -> String {
    format!("cannot draw the plot ({err:?})")
}

/// Renders into a temporary sibling file and renames it into place (no half-written PNG on failure).
fn render(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<(), String> {
    font()?;
    let tmp = crate::wav::temp_path(path).with_extension("png");
    let result = (|| {
        let root = BitMapBackend::new(&tmp, size).into_drawing_area();
        root.fill(&WHITE).map_err(e)?;
        draw(&root)?;
        root.present().map_err(e)
    })();
    match result.and_then(|()| std::fs::rename(&tmp, path).map_err(|err| format!("{}: cannot write ({err})", path.display()))) {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            Err(err)
        }
    }
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;
use plotters::coord::types::RangedCoordf64;

type FreqChart<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<LogCoord<f64>, RangedCoordf64>>;

/// A chart with a log-frequency x axis (ticks 100, 1k, 10k) over `f`, a linear y axis over `y`, labelled mesh drawn.
fn freq_chart<'a, 'b>(
    area: &'a Area<'b>,
    caption: (&str, u32),
    f: (f64, f64),
    y: (f64, f64),
    ylabel: &str,
) -> Result<FreqChart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption.0, ("sans-serif", caption.1))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d((f.0..f.1).log_scale(), y.0..y.1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("frequency (Hz)")
        .y_desc(ylabel)
        .x_label_formatter(&|v| hz(*v))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(e)?;
    Ok(chart)
}

/// A frequency tick label: `20`, `500`, `2k`, `10k`.
fn hz(v: f64) -> String {
    if v >= 1000.0 {
        format!("{}k", (v / 100.0).round() / 10.0)
    } else {
        format!("{v:.0}")
    }
}

/// `(min, max)` of the finite values, padded.
fn range<'a>(series: impl IntoIterator<Item = &'a [f64]>, pad: f64) -> (f64, f64) {
    let (lo, hi) = series.into_iter().flatten().filter(|v| v.is_finite()).fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
    if lo > hi {
        (-1.0, 1.0)
    } else {
        (lo - pad, hi + pad)
    }
}

/// The fit: magnitude of the target (measured), the fit and optionally the hidden truth; below, the loss per step.
pub fn fit_png(path: &Path, title: &str, freqs: &[f64], curves: &[(&str, &[f64], RGBColor)], losses: &[(u8, f64)]) -> Result<(), String> {
    render(path, (1000, 800), |root| {
        let (top, bottom) = root.split_vertically(480);
        let (f0, f1) = (freqs.first().copied().unwrap_or(20.0), freqs.last().copied().unwrap_or(20_000.0));
        let (lo, hi) = range(curves.iter().map(|c| c.1), 1.0);
        let mut chart = freq_chart(&top, (title, 22), (f0, f1), (lo, hi), "magnitude (dB)")?;
        // Wide to narrow, so curves that coincide stay visible one inside the other.
        let n = curves.len() as u32;
        for (i, (name, db, color)) in curves.iter().enumerate() {
            let (color, width) = (*color, 2 + 3 * (n - 1 - i as u32));
            chart
                .draw_series(LineSeries::new(freqs.iter().zip(db.iter()).map(|(f, d)| (*f, *d)), color.stroke_width(width)))
                .map_err(e)?
                .label(*name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(width)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(e)?;

        let values: Vec<f64> = losses.iter().map(|l| l.1.max(1e-30)).collect();
        let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
        let (lo, hi) = if lo > hi { (1e-6, 1.0) } else { (lo / 2.0, hi * 2.0) };
        let mut chart = ChartBuilder::on(&bottom)
            .caption("loss per step (stage 1: spectral, dB²; stage 2: waveform, relative)", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..(losses.len().max(1) as f64), (lo..hi).log_scale())
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc("loss")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(e)?;
        for (stage, color, name) in [(1u8, BLUE, "spectral stage"), (2, RED, "waveform stage")] {
            let pts: Vec<(f64, f64)> =
                losses.iter().enumerate().filter(|(_, l)| l.0 == stage).map(|(i, l)| (i as f64, l.1.max(1e-30))).collect();
            if !pts.is_empty() {
                chart
                    .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                    .map_err(e)?
                    .label(name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(e)?;
        Ok(())
    })
}

/// Magnitude (dB) and phase (degrees) of a response at `freqs`.
pub fn response_png(path: &Path, title: &str, freqs: &[f64], mag_db: &[f64], phase_deg: &[f64]) -> Result<(), String> {
    render(path, (1000, 800), |root| {
        let (top, bottom) = root.split_vertically(420);
        let (f0, f1) = (freqs.first().copied().unwrap_or(20.0), freqs.last().copied().unwrap_or(20_000.0));
        for (area, values, label, caption, color) in
            [(&top, mag_db, "magnitude (dB)", title, BLUE), (&bottom, phase_deg, "phase (degrees)", "phase", RED)]
        {
            let (lo, hi) = range([values], 1.0);
            let size = if caption == title { 22 } else { 16 };
            let mut chart = freq_chart(area, (caption, size), (f0, f1), (lo, hi), label)?;
            chart.draw_series(LineSeries::new(freqs.iter().zip(values).map(|(f, v)| (*f, *v)), color.stroke_width(2))).map_err(e)?;
        }
        Ok(())
    })
}
