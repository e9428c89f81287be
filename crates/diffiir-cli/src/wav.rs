//! WAV in and out: 16/24-bit integer and 32-bit float, mono or stereo, any sample rate. Samples are `f64` in
//! `[-1, 1)` in memory, one vector per channel. Writing goes to a temporary file that is renamed into place, so a
//! failed run never leaves a half-written output.

use hound::{SampleFormat, WavReader, WavSpec, WavWriter};
use std::path::{Path, PathBuf};

/// A decoded recording.
#[derive(Clone, Debug)]
pub struct Audio {
    /// One vector per channel.
    pub channels: Vec<Vec<f64>>,
    /// Format of the file it came from (reused for output).
    pub spec: WavSpec,
}

impl Audio {
    /// Samples per channel.
    pub fn len(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// Sample rate in Hz.
    pub fn fs(&self) -> f64 {
        f64::from(self.spec.sample_rate)
    }
}

fn describe(spec: &WavSpec) -> String {
    match spec.sample_format {
        SampleFormat::Int => format!("{}-bit integer", spec.bits_per_sample),
        SampleFormat::Float => format!("{}-bit float", spec.bits_per_sample),
    }
}

fn check_spec(path: &Path, spec: &WavSpec) -> Result<(), String> {
    let ok = matches!((spec.sample_format, spec.bits_per_sample), (SampleFormat::Int, 16 | 24) | (SampleFormat::Float, 32));
    if !ok {
        return Err(format!("{}: unsupported WAV format {} (supported: 16/24-bit integer, 32-bit float)", path.display(), describe(spec)));
    }
    if !(1..=2).contains(&spec.channels) {
        return Err(format!("{}: {} channels; only mono and stereo are supported", path.display(), spec.channels));
    }
    Ok(())
}

/// Reads a WAV file.
pub fn read(path: &Path) -> Result<Audio, String> {
    if !path.exists() {
        return Err(format!("{}: no such file", path.display()));
    }
    let mut reader = WavReader::open(path).map_err(|e| format!("{}: not a readable WAV file ({e})", path.display()))?;
    let spec = reader.spec();
    check_spec(path, &spec)?;
    let bad = |e: hound::Error| format!("{}: corrupt WAV data ({e})", path.display());
    let interleaved: Vec<f64> = match spec.sample_format {
        SampleFormat::Float => reader.samples::<f32>().map(|s| s.map(f64::from)).collect::<Result<_, _>>().map_err(bad)?,
        SampleFormat::Int => {
            let scale = f64::from(1u32 << (spec.bits_per_sample - 1));
            reader.samples::<i32>().map(|s| s.map(|v| f64::from(v) / scale)).collect::<Result<_, _>>().map_err(bad)?
        }
    };
    let c = usize::from(spec.channels);
    let channels = (0..c).map(|ch| interleaved.iter().skip(ch).step_by(c).copied().collect()).collect();
    Ok(Audio { channels, spec })
}

/// Writes `channels` with `spec`'s format to `path` (atomically: temp file, then rename). Integer formats are
/// rounded and clipped; returns the number of clipped samples.
pub fn write(path: &Path, channels: &[Vec<f64>], spec: WavSpec) -> Result<usize, String> {
    let tmp = temp_path(path);
    let result = write_to(&tmp, channels, spec);
    match result {
        Ok(clipped) => {
            std::fs::rename(&tmp, path).map_err(|e| format!("{}: cannot write ({e})", path.display()))?;
            Ok(clipped)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A sibling of `path` for the atomic write.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

fn write_to(path: &Path, channels: &[Vec<f64>], spec: WavSpec) -> Result<usize, String> {
    let err = |e: hound::Error| format!("{}: cannot write ({e})", path.display());
    let mut w = WavWriter::create(path, spec).map_err(err)?;
    let n = channels.first().map_or(0, Vec::len);
    let mut clipped = 0;
    for i in 0..n {
        for ch in channels {
            match spec.sample_format {
                SampleFormat::Float => w.write_sample(ch[i] as f32).map_err(err)?,
                SampleFormat::Int => {
                    let scale = f64::from(1u32 << (spec.bits_per_sample - 1));
                    let v = (ch[i] * scale).round();
                    let (lo, hi) = (-scale, scale - 1.0);
                    if v < lo || v > hi {
                        clipped += 1;
                    }
                    w.write_sample(v.clamp(lo, hi) as i32).map_err(err)?;
                }
            }
        }
    }
    w.finalize().map_err(err)?;
    Ok(clipped)
}
