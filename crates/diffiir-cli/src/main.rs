//! `diffiir` — fit recursive filters to audio, apply them, plot them.
//!
//! ```text
//! diffiir match [--input dry.wav --target wet.wav] [--model peq:6|sos:4|allpole:16] [--steps N] [--out fit.json] [--plot fit.png]
//! diffiir apply --filter fit.json in.wav out.wav [--block 4096]
//! diffiir plot --filter fit.json --out response.png
//! ```
//! Errors are one line on stderr (`error: …`) with a non-zero exit; outputs are written atomically, so a failed
//! run leaves nothing half-written.

mod builtin;
mod filter;
mod fit;
mod plot;
mod wav;

use clap::{Parser, Subcommand};
use filter::FilterFile;
use fit::ModelSpec;
use plotters::style::RGBColor;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "diffiir", version, about = "Fit recursive (IIR) filters to audio, apply them, plot them")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fit a filter that maps a dry recording to a processed one (no --input/--target: built-in demo data).
    Match {
        /// The dry recording (WAV: 16/24-bit integer or 32-bit float, mono or stereo).
        #[arg(long, requires = "target")]
        input: Option<PathBuf>,
        /// The processed recording: same sample rate, channels and length as --input.
        #[arg(long, requires = "input")]
        target: Option<PathBuf>,
        /// peq:N (low shelf, N peaks, high shelf), sos:N (N free biquads) or allpole:N (LPC of order N).
        #[arg(long, default_value = "peq:6")]
        model: ModelSpec,
        /// Optimiser steps (2/3 spectral, 1/3 waveform).
        #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(3..=100_000))]
        steps: u64,
        /// Write the fitted filter as JSON.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write a PNG: target vs fitted magnitude, and the loss curve.
        #[arg(long)]
        plot: Option<PathBuf>,
        /// No progress output (default: a progress bar on a terminal, a line every 100 steps otherwise).
        #[arg(long)]
        quiet: bool,
    },
    /// Apply a fitted filter to a WAV file, block by block with carried state.
    Apply {
        /// A filter written by `diffiir match --out`.
        #[arg(long)]
        filter: PathBuf,
        /// Input WAV.
        input: PathBuf,
        /// Output WAV (same format as the input).
        output: PathBuf,
        /// Block length in samples.
        #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..))]
        block: u64,
    },
    /// Plot a filter's magnitude and phase response.
    Plot {
        /// A filter written by `diffiir match --out`.
        #[arg(long)]
        filter: PathBuf,
        /// Output PNG.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Keeps freed multi-megabyte buffers in the process (glibc only). Training allocates a few such buffers per
/// step (outputs, gradients); by default glibc returns them to the kernel on free and page-faults them in again
/// on the next step — measured here on the built-in `match`: 36 s wall (17 s of it in the kernel) by default,
/// 19 s with these thresholds (BENCHMARKS.md). The same as `GLIBC_TUNABLES=glibc.malloc.trim_threshold=…:
/// glibc.malloc.mmap_threshold=…`, set from inside so every user gets it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: mallopt only sets allocator thresholds; it is called once, before any other thread exists.
    unsafe {
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        mallopt(M_MMAP_THRESHOLD, 1 << 30);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

fn main() {
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            // --help and --version: stdout, success.
            let _ = e.print();
            std::process::exit(0);
        }
        Err(e) => {
            // Usage errors as one line like every other error (clap adds a usage block and a tip).
            let text = e.render().to_string();
            eprintln!("{}", text.lines().next().unwrap_or("error: invalid arguments"));
            std::process::exit(2);
        }
    };
    let result = match cli.command {
        Command::Match { input, target, model, steps, out, plot, quiet } => {
            run_match(input, target, model, steps as usize, out, plot, quiet)
        }
        Command::Apply { filter, input, output, block } => run_apply(&filter, &input, &output, block as usize),
        Command::Plot { filter, out } => run_plot(&filter, &out),
    };
    if let Err(e) = result {
        eprintln!("error: {}", e.replace('\n', " "));
        std::process::exit(1);
    }
}

fn run_match(
    input: Option<PathBuf>,
    target: Option<PathBuf>,
    model: ModelSpec,
    steps: usize,
    out: Option<PathBuf>,
    plot: Option<PathBuf>,
    quiet: bool,
) -> Result<(), String> {
    let start = Instant::now();
    let builtin = input.is_none();
    let (dry, wet, fs) = match (input, target) {
        (Some(i), Some(t)) => {
            let (a, b) = (wav::read(&i)?, wav::read(&t)?);
            if a.spec.sample_rate != b.spec.sample_rate {
                return Err(format!(
                    "sample rates differ: {} is {} Hz, {} is {} Hz",
                    i.display(),
                    a.spec.sample_rate,
                    t.display(),
                    b.spec.sample_rate
                ));
            }
            if a.channels.len() != b.channels.len() {
                return Err(format!(
                    "channel counts differ: {} has {}, {} has {}",
                    i.display(),
                    a.channels.len(),
                    t.display(),
                    b.channels.len()
                ));
            }
            if a.len() != b.len() {
                return Err(format!(
                    "lengths differ: {} has {} samples, {} has {}; align the recordings first",
                    i.display(),
                    a.len(),
                    t.display(),
                    b.len()
                ));
            }
            if a.len() < 1024 {
                return Err(format!("{}: {} samples is too short to fit a filter (need at least 1024)", i.display(), a.len()));
            }
            if a.channels.iter().flatten().all(|v| *v == 0.0) {
                return Err(format!("{}: the input is silent (all zeros); nothing can be fitted", i.display()));
            }
            let fs = a.fs();
            (a.channels, b.channels, fs)
        }
        _ => {
            println!("no --input/--target: built-in data (4 s of synthesised stereo audio through a hidden \"vintage\" EQ)");
            let (d, w) = builtin::data()?;
            (d, w, builtin::FS)
        }
    };
    println!("fitting {model} to {} channel(s) × {} samples at {fs} Hz ({steps} steps)", dry.len(), dry[0].len());
    let progress = match (quiet, std::io::IsTerminal::is_terminal(&std::io::stderr())) {
        (true, _) => fit::Progress::Quiet,
        (false, true) => fit::Progress::Bar,
        (false, false) => fit::Progress::Lines,
    };
    let result = fit::fit(&dry, &wet, fs, model, steps, progress)?;
    let f = &result.filter;
    print_filter(f);
    let (spectral, waveform) = (result.losses.iter().rfind(|l| l.0 == 1), result.losses.iter().rfind(|l| l.0 == 2));
    if let (Some(s), Some(w)) = (spectral, waveform) {
        println!("final loss: spectral {:.3e} dB², waveform {:.3e} (relative)", s.1, w.1);
    }
    if let Some(r) = &f.fit {
        println!(
            "fit error vs the measured response, 20 Hz–{:.0} Hz: max {:.3} dB, mean {:.3} dB",
            result.freqs.last().unwrap_or(&0.0),
            r.max_error_db,
            r.mean_error_db
        );
    }
    let mut curves: Vec<(&str, &[f64], RGBColor)> = vec![("target (measured)", &result.measured_db, RGBColor(170, 170, 170))];
    let hidden_db;
    let mut missed = None;
    if builtin {
        let sos = builtin::hidden_sos()?;
        let w: Vec<f64> = result.freqs.iter().map(|f| std::f64::consts::TAU * f / fs).collect();
        let h = diffiir::freq::sosfreqz(diffiir::Coefs::shared(&sos), 1, &w).map_err(|e| e.to_string())?;
        hidden_db = h.iter().map(|h| 20.0 * h.norm().log10()).collect::<Vec<f64>>();
        let worst = hidden_db.iter().zip(&result.fitted_db).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        println!("built-in run: worst magnitude error vs the hidden EQ, 20 Hz–20 kHz: {worst:.3} dB (goal < 0.5 dB)");
        curves.push(("hidden EQ (truth)", &hidden_db, RGBColor(240, 140, 0)));
        missed = (worst >= 0.5).then(|| format!("the built-in fit missed its goal: {worst:.3} dB ≥ 0.5 dB"));
    }
    curves.push(("fitted", &result.fitted_db, RGBColor(0, 70, 200)));
    if let Some(path) = &out {
        f.write(path)?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &plot {
        let title = format!("diffiir match — {model}: max error {:.2} dB", f.fit.as_ref().map_or(f64::NAN, |r| r.max_error_db));
        plot::fit_png(path, &title, &result.freqs, &curves, &result.losses)?;
        println!("wrote {}", path.display());
    }
    println!("done in {:.1} s", start.elapsed().as_secs_f64());
    // The built-in run is also a self-test (CI runs it): missing the goal is a failure.
    missed.map_or(Ok(()), Err)
}

fn print_filter(f: &FilterFile) {
    if let Some(bands) = &f.bands {
        println!("{:<11} {:>10} {:>7} {:>9}", "band", "f0 (Hz)", "Q", "gain (dB)");
        for b in bands {
            println!("{:<11} {:>10.1} {:>7.3} {:>+9.2}", b.kind, b.f0, b.q, b.gain_db);
        }
    } else if let Some(sos) = &f.sos {
        println!("sections [b0, b1, b2, a0, a1, a2]:");
        for r in sos {
            println!("  [{:+.6}, {:+.6}, {:+.6}, {:.1}, {:+.6}, {:+.6}]", r[0], r[1], r[2], r[3], r[4], r[5]);
        }
    }
    if let (Some(k), Some(b), Some(a)) = (&f.reflection, &f.b, &f.a) {
        println!("gain {:.6}", b.first().unwrap_or(&0.0));
        println!("reflection coefficients {k:.4?}");
        println!("a = {a:.6?}");
    }
}

fn run_apply(filter: &std::path::Path, input: &std::path::Path, output: &std::path::Path, block: usize) -> Result<(), String> {
    let f = FilterFile::read(filter)?;
    let audio = wav::read(input)?;
    if (audio.fs() - f.sample_rate).abs() > 1e-9 {
        return Err(format!("{} is {} Hz but the filter was designed for {} Hz", input.display(), audio.fs(), f.sample_rate));
    }
    let out: Vec<Vec<f64>> = audio.channels.iter().map(|x| f.apply(x, block)).collect::<Result<_, _>>()?;
    let clipped = wav::write(output, &out, audio.spec)?;
    println!("wrote {} ({} channel(s) × {} samples, {}-sample blocks)", output.display(), out.len(), audio.len(), block);
    if clipped > 0 {
        eprintln!("warning: {clipped} samples clipped to the integer range of the output format");
    }
    Ok(())
}

fn run_plot(filter: &std::path::Path, out: &std::path::Path) -> Result<(), String> {
    let f = FilterFile::read(filter)?;
    let freqs = fit::grid(f.sample_rate);
    let h = f.response(&freqs)?;
    let mag: Vec<f64> = h.iter().map(|h| 20.0 * h.norm().max(1e-300).log10()).collect();
    // Unwrapped phase, in degrees.
    let mut phase = Vec::with_capacity(h.len());
    let mut prev = 0.0;
    for h in &h {
        let mut p = h.arg();
        while p - prev > std::f64::consts::PI {
            p -= std::f64::consts::TAU;
        }
        while prev - p > std::f64::consts::PI {
            p += std::f64::consts::TAU;
        }
        prev = p;
        phase.push(p.to_degrees());
    }
    plot::response_png(out, &format!("{} at {} Hz — magnitude", f.model, f.sample_rate), &freqs, &mag, &phase)?;
    println!("wrote {}", out.display());
    Ok(())
}
