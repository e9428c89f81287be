//! The `diffiir` binary on generated WAV files: `match` recovers a known EQ, `apply` equals the one-shot filter
//! bit for bit, `plot` draws, and every bad input gives a non-zero exit, a one-line error and no output file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diffiir::param::{rbj, Rbj};
use diffiir::{sosfilt, Coefs, Dims};
use hound::{SampleFormat, WavSpec};
use std::path::{Path, PathBuf};
use std::process::Command;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("diffiir-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_diffiir")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn spec(channels: u16, fs: u32, bits: u16, float: bool) -> WavSpec {
    WavSpec { channels, sample_rate: fs, bits_per_sample: bits, sample_format: if float { SampleFormat::Float } else { SampleFormat::Int } }
}

/// Writes channels (values in [-1, 1)) with `spec`; returns the samples as stored (quantised), per channel.
fn write_wav(path: &Path, chans: &[Vec<f64>], spec: WavSpec) -> Vec<Vec<f64>> {
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let scale = f64::from(1u32 << (spec.bits_per_sample - 1));
    let mut stored = vec![vec![]; chans.len()];
    for i in 0..chans[0].len() {
        for (c, ch) in chans.iter().enumerate() {
            if spec.sample_format == SampleFormat::Float {
                w.write_sample(ch[i] as f32).unwrap();
                stored[c].push(f64::from(ch[i] as f32));
            } else {
                let v = (ch[i] * scale).round().clamp(-scale, scale - 1.0);
                w.write_sample(v as i32).unwrap();
                stored[c].push(v / scale);
            }
        }
    }
    w.finalize().unwrap();
    stored
}

fn read_raw(path: &Path) -> (WavSpec, Vec<f64>) {
    let mut r = hound::WavReader::open(path).unwrap();
    let s = r.spec();
    let v = if s.sample_format == SampleFormat::Float {
        r.samples::<f32>().map(|x| f64::from(x.unwrap())).collect()
    } else {
        r.samples::<i32>().map(|x| f64::from(x.unwrap())).collect()
    };
    (s, v)
}

fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * 0.3
        })
        .collect()
}

fn eq_sos(fs: f64) -> Vec<f64> {
    [(Rbj::LowShelf, [150.0, 0.7, 4.0]), (Rbj::Peaking, [2000.0, 1.2, -5.0]), (Rbj::HighShelf, [9000.0, 0.7, 3.0])]
        .iter()
        .flat_map(|(k, p)| rbj(*k, p, fs).unwrap())
        .collect()
}

fn db_at(sos: &[f64], fs: f64, freqs: &[f64]) -> Vec<f64> {
    let w: Vec<f64> = freqs.iter().map(|f| std::f64::consts::TAU * f / fs).collect();
    diffiir::freq::sosfreqz(Coefs::shared(sos), 1, &w).unwrap().iter().map(|h| 20.0 * h.norm().log10()).collect()
}

#[test]
fn match_recovers_a_known_eq_and_writes_json_and_png() {
    let d = dir("match");
    let fs = 48_000.0;
    let n = 48_000;
    let x = noise(n, 3);
    let sos = eq_sos(fs);
    let (dry, wet) = (d.join("dry.wav"), d.join("wet.wav"));
    let stored = write_wav(&dry, &[x], spec(1, 48_000, 32, true));
    let y = sosfilt(Coefs::shared(&sos), &stored[0], Dims::new(1, n), None).unwrap().y;
    write_wav(&wet, &[y], spec(1, 48_000, 32, true));
    let (json, png) = (d.join("fit.json"), d.join("fit.png"));
    let (code, stdout, stderr) = run(&[
        "match",
        "--input",
        dry.to_str().unwrap(),
        "--target",
        wet.to_str().unwrap(),
        "--model",
        "peq:1",
        "--steps",
        "150",
        "--out",
        json.to_str().unwrap(),
        "--plot",
        png.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "stdout {stdout}\nstderr {stderr}");
    assert!(stdout.contains("fit error"), "{stdout}");
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(f["model"], "peq:1");
    assert_eq!(f["sample_rate"], 48_000.0);
    let fitted: Vec<f64> =
        f["sos"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap())).collect();
    let freqs: Vec<f64> = (0..200).map(|i| 20.0 * 1000f64.powf(i as f64 / 199.0)).collect();
    let worst = db_at(&fitted, fs, &freqs).iter().zip(db_at(&sos, fs, &freqs)).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 0.5, "worst error {worst} dB");
    let bands = f["bands"].as_array().unwrap();
    assert!((bands[1]["f0"].as_f64().unwrap() / 2000.0 - 1.0).abs() < 0.05, "{bands:?}");
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");

    // plot draws the fitted filter.
    let resp = d.join("response.png");
    let (code, _, stderr) = run(&["plot", "--filter", json.to_str().unwrap(), "--out", resp.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::metadata(&resp).unwrap().len() > 10_000);
}

#[test]
fn apply_equals_the_one_shot_filter_bit_for_bit() {
    let d = dir("apply");
    let fs = 44_100.0;
    let sos = eq_sos(fs);
    let filter = serde_json::json!({
        "model": "sos:3",
        "sample_rate": fs,
        "sos": sos.chunks(6).collect::<Vec<_>>(),
    });
    let fpath = d.join("f.json");
    std::fs::write(&fpath, filter.to_string()).unwrap();
    for (bits, float, channels) in [(32, true, 1), (24, false, 2), (16, false, 2)] {
        let n = 10_007;
        let chans: Vec<Vec<f64>> = (0..channels).map(|c| noise(n, 10 + c as u64)).collect();
        let (inp, out) = (d.join(format!("in{bits}.wav")), d.join(format!("out{bits}.wav")));
        let stored = write_wav(&inp, &chans, spec(channels, 44_100, bits, float));
        let (code, _, stderr) =
            run(&["apply", "--filter", fpath.to_str().unwrap(), inp.to_str().unwrap(), out.to_str().unwrap(), "--block", "333"]);
        assert_eq!(code, 0, "{stderr}");
        let (s, got) = read_raw(&out);
        assert_eq!((s.bits_per_sample, s.channels, s.sample_rate), (bits, channels, 44_100));
        // The one-shot filter of the whole file, quantised the same way.
        let scale = f64::from(1u32 << (bits - 1));
        let ys: Vec<Vec<f64>> = stored.iter().map(|x| sosfilt(Coefs::shared(&sos), x, Dims::new(1, n), None).unwrap().y).collect();
        let want: Vec<f64> = (0..n)
            .flat_map(|i| ys.iter().map(move |y| y[i]))
            .map(|v| if float { f64::from(v as f32) } else { (v * scale).round().clamp(-scale, scale - 1.0) })
            .collect();
        assert_eq!(got, want, "{bits}-bit");
    }
}

/// Every listed bad input: non-zero exit, exactly one line on stderr starting with `error:`, naming the problem,
/// and no output written.
#[test]
fn bad_inputs_fail_with_one_line_errors_and_write_nothing() {
    let d = dir("bad");
    let p = |name: &str| d.join(name).to_str().unwrap().to_string();
    let x = noise(4800, 5);
    write_wav(&d.join("ok.wav"), std::slice::from_ref(&x), spec(1, 48_000, 16, false));
    write_wav(&d.join("ok44.wav"), std::slice::from_ref(&x), spec(1, 44_100, 16, false));
    write_wav(&d.join("short.wav"), &[x[..4000].to_vec()], spec(1, 48_000, 16, false));
    write_wav(&d.join("stereo.wav"), &[x.clone(), x.clone()], spec(2, 48_000, 16, false));
    write_wav(&d.join("silent.wav"), &[vec![0.0; 4800]], spec(1, 48_000, 16, false));
    write_wav(&d.join("int32.wav"), std::slice::from_ref(&x), spec(1, 48_000, 32, false));
    write_wav(&d.join("int8.wav"), std::slice::from_ref(&x), spec(1, 48_000, 8, false));
    std::fs::write(d.join("garbage.wav"), b"RIFF not really a wav").unwrap();
    std::fs::write(d.join("bad.json"), "{ not json").unwrap();
    std::fs::write(d.join("noa0.json"), r#"{"model": "sos:1", "sample_rate": 48000, "sos": [[1, 0, 0, 0, 0.5, 0]]}"#).unwrap();
    std::fs::write(d.join("f44.json"), r#"{"model": "sos:1", "sample_rate": 44100, "sos": [[1, 0, 0, 1, -0.5, 0]]}"#).unwrap();
    let out = p("out.wav");
    let m = |a: &str, b: &str| {
        vec![
            "match".into(),
            "--input".into(),
            p(a),
            "--target".into(),
            p(b),
            "--out".into(),
            p("fit.json"),
            "--plot".into(),
            p("fit.png"),
            "--steps".into(),
            "10".into(),
            "--quiet".into(),
        ]
    };
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        ("missing input", m("nope.wav", "ok.wav"), "no such file"),
        ("missing target", m("ok.wav", "nope.wav"), "no such file"),
        ("not a wav", m("garbage.wav", "ok.wav"), "not a readable WAV"),
        ("32-bit int", m("int32.wav", "ok.wav"), "unsupported WAV format 32-bit integer"),
        ("8-bit int", m("ok.wav", "int8.wav"), "unsupported WAV format 8-bit integer"),
        ("sample rates", m("ok.wav", "ok44.wav"), "sample rates differ"),
        ("lengths", m("ok.wav", "short.wav"), "lengths differ"),
        ("channels", m("ok.wav", "stereo.wav"), "channel counts differ"),
        ("silent", m("silent.wav", "ok.wav"), "silent"),
        ("bad model", vec!["match".into(), "--model".into(), "foo:3".into()], "model"),
        ("apply: missing filter", vec!["apply".into(), "--filter".into(), p("nope.json"), p("ok.wav"), out.clone()], "cannot read filter"),
        (
            "apply: corrupt filter",
            vec!["apply".into(), "--filter".into(), p("bad.json"), p("ok.wav"), out.clone()],
            "not a diffiir filter file",
        ),
        ("apply: a0 = 0", vec!["apply".into(), "--filter".into(), p("noa0.json"), p("ok.wav"), out.clone()], "a0"),
        ("apply: sample rate", vec!["apply".into(), "--filter".into(), p("f44.json"), p("ok.wav"), out.clone()], "designed for 44100 Hz"),
        ("apply: missing input", vec!["apply".into(), "--filter".into(), p("f44.json"), p("nope.wav"), out.clone()], "no such file"),
        ("plot: missing filter", vec!["plot".into(), "--filter".into(), p("nope.json"), "--out".into(), p("r.png")], "cannot read filter"),
    ];
    for (name, args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, stderr) = run(&args);
        assert_ne!(code, 0, "{name}: exit 0");
        let lines: Vec<&str> = stderr.trim_end().lines().collect();
        assert_eq!(lines.len(), 1, "{name}: stderr is not one line: {stderr:?}");
        assert!(lines[0].starts_with("error:") && lines[0].contains(needle), "{name}: {stderr:?} lacks {needle:?}");
    }
    for file in ["out.wav", "fit.json", "fit.png", "r.png"] {
        assert!(!d.join(file).exists(), "{file} was written by a failing run");
    }
    // Nor any temporary file.
    assert!(std::fs::read_dir(&d).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains("partial")));
}
