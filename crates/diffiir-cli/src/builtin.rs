//! Built-in data for the main job: a few seconds of synthesised stereo audio coloured by a hidden "vintage" EQ.

use diffiir::param::{rbj, Rbj};
use diffiir::{sosfilt, Coefs, Dims};

/// Samples per channel.
pub type Channels = Vec<Vec<f64>>;

/// Sample rate of the built-in data.
pub const FS: f64 = 48_000.0;

/// The hidden EQ, `(type, f0 Hz, Q, gain dB)`: a warm console — low-end lift, boxy cut, presence bump, a dip at
/// the harshness band and rolled-off air.
pub const HIDDEN: [(Rbj, f64, f64, f64); 6] = [
    (Rbj::LowShelf, 90.0, 0.7, 3.0),
    (Rbj::Peaking, 250.0, 1.1, -2.5),
    (Rbj::Peaking, 1200.0, 0.8, 1.5),
    (Rbj::Peaking, 3500.0, 1.4, 3.0),
    (Rbj::Peaking, 7000.0, 2.0, -4.0),
    (Rbj::HighShelf, 10_000.0, 0.7, -6.0),
];

/// The hidden EQ as sos rows.
pub fn hidden_sos() -> Result<Vec<f64>, String> {
    let mut sos = vec![];
    for (kind, f0, q, gain) in HIDDEN {
        sos.extend(rbj(kind, &[f0, q, gain], FS).map_err(|e| e.to_string())?);
    }
    Ok(sos)
}

/// `(dry, wet)`: 4 s of stereo "music" — pink-ish noise, a chord of decaying plucked tones and a slow chirp —
/// and the same through the hidden EQ.
pub fn data() -> Result<(Channels, Channels), String> {
    let n = (4.0 * FS) as usize;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut dry = vec![];
    for ch in 0..2 {
        // Pink-ish noise: white through a gentle lowpass, plus some white for the top octaves.
        let (mut lp, mut x) = (0.0, Vec::with_capacity(n));
        for i in 0..n {
            let wn = uniform();
            lp = 0.97 * lp + 0.03 * wn;
            let t = i as f64 / FS;
            let pluck: f64 = [110.0, 164.8, 220.0, 277.2, 329.6]
                .iter()
                .enumerate()
                .map(|(k, f)| {
                    let start = 0.5 * k as f64 + 0.1 * ch as f64;
                    if t < start {
                        0.0
                    } else {
                        let tt = t - start;
                        (-3.0 * tt).exp() * (std::f64::consts::TAU * f * tt).sin() * 0.15
                    }
                })
                .sum();
            let chirp = 0.05 * (std::f64::consts::TAU * (50.0 * t + 600.0 * t * t)).sin();
            x.push(1.5 * lp + 0.08 * wn + pluck + chirp);
        }
        dry.push(x);
    }
    let sos = hidden_sos()?;
    let flat: Vec<f64> = dry.iter().flatten().copied().collect();
    let y = sosfilt(Coefs::shared(&sos), &flat, Dims::new(2, n), None).map_err(|e| e.to_string())?.y;
    let wet = y.chunks_exact(n).map(<[f64]>::to_vec).collect();
    Ok((dry, wet))
}
