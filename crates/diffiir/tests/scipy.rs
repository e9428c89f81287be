//! Oracle: scipy.signal 1.17.1, through fixtures written by `scripts/make_fixtures.py`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::assert_close;
use diffiir::{lfilter, lfilter_zi, sosfilt, sosfilt_zi, Coefs, Dims, Stream};
use serde_json::Value;

const RTOL: f64 = 1e-12;
const ATOL: f64 = 1e-12;

/// Absolute tolerance in epsilon units scaled by size: `100·eps·T·(order+1)·max|y|` — a high-order b/a
/// polynomial amplifies last-bit differences in the operation order by its condition number.
fn tol(y: &[f64], t: usize, order: usize) -> f64 {
    let scale = y.iter().fold(1.0f64, |s, v| s.max(v.abs()));
    (100.0 * f64::EPSILON * (t.max(1) * (order + 1)) as f64 * scale).max(ATOL)
}

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn arr(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().flat_map(arr).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        _ => vec![],
    }
}

fn repeat(v: &[f64], times: usize) -> Vec<f64> {
    (0..times).flat_map(|_| v.iter().copied()).collect()
}

#[test]
fn lfilter_matches_scipy_in_every_layout() {
    let cases = load("lfilter.json");
    assert!(cases.len() >= 50);
    for (i, c) in cases.iter().enumerate() {
        let (b, a, x, y) = (arr(&c["b"]), arr(&c["a"]), arr(&c["x"]), arr(&c["y"]));
        let zi = (!c["zi"].is_null()).then(|| arr(&c["zi"]));
        let (t, m, bs) = (x.len(), b.len().max(a.len()) - 1, 3);
        let d = Dims::new(bs, t);
        let xs = repeat(&x, bs);
        let zis = zi.as_ref().map(|z| repeat(z, bs));
        let (bps, aps) = (repeat(&b, bs * t), repeat(&a, bs * t));
        let (bsig, asig) = (repeat(&b, bs), repeat(&a, bs));
        let layouts = [
            ("shared", Coefs::shared(&b), Coefs::shared(&a)),
            ("per-signal", Coefs::per_signal(&bsig, b.len()), Coefs::per_signal(&asig, a.len())),
            ("per-sample", Coefs::per_sample(&bps, b.len()), Coefs::per_sample(&aps, a.len())),
            ("mixed", Coefs::shared(&b), Coefs::per_sample(&aps, a.len())),
        ];
        for (name, cb, ca) in layouts {
            let out = lfilter(cb, ca, &xs, d, zis.as_deref()).unwrap();
            let what = format!("lfilter case {i} ({name}, nb {}, na {}, T {t})", b.len(), a.len());
            assert_close(&what, &out.y, &repeat(&y, bs), RTOL, tol(&y, t, m));
            if !c["zf"].is_null() {
                assert_close(&format!("{what} zf"), &out.zf, &repeat(&arr(&c["zf"]), bs), RTOL, tol(&y, t, m));
            }
            assert_eq!(out.zf.len(), bs * m);
        }
        let f32out = lfilter(
            Coefs::shared(&common::to32(&b)),
            Coefs::shared(&common::to32(&a)),
            &common::to32(&x),
            Dims::new(1, t),
            zi.as_deref().map(common::to32).as_deref(),
        )
        .unwrap();
        let scale = y.iter().fold(1.0f64, |s, v| s.max(v.abs()));
        assert_close(&format!("lfilter case {i} f32"), &common::to64(&f32out.y), &y, 0.0, 2e-4 * scale * (m as f64 + 1.0));
    }
}

#[test]
fn lfilter_zi_matches_scipy() {
    for (i, c) in load("lfilter_zi.json").iter().enumerate() {
        let (b, a) = (arr(&c["b"]), arr(&c["a"]));
        let zi = lfilter_zi(Coefs::shared(&b), Coefs::shared(&a), 1).unwrap();
        assert_close(&format!("lfilter_zi case {i}"), &zi, &arr(&c["zi"]), 1e-11, 1e-12);
        let (b2, a2) = (repeat(&b, 2), repeat(&a, 2));
        let zi2 = lfilter_zi(Coefs::per_signal(&b2, b.len()), Coefs::per_signal(&a2, a.len()), 2).unwrap();
        assert_close(&format!("lfilter_zi case {i} per signal"), &zi2, &repeat(&arr(&c["zi"]), 2), 1e-11, 1e-12);
    }
}

#[test]
fn sosfilt_matches_scipy_in_every_layout() {
    let cases = load("sosfilt.json");
    assert!(cases.len() >= 25);
    for (i, c) in cases.iter().enumerate() {
        let (sos, x, y) = (arr(&c["sos"]), arr(&c["x"]), arr(&c["y"]));
        let zi = (!c["zi"].is_null()).then(|| arr(&c["zi"]));
        let (t, k, bs) = (x.len(), sos.len(), 3);
        let d = Dims::new(bs, t);
        let xs = repeat(&x, bs);
        let zis = zi.as_ref().map(|z| repeat(z, bs));
        let (sig, ps) = (repeat(&sos, bs), repeat(&sos, bs * t));
        for (name, cs) in
            [("shared", Coefs::shared(&sos)), ("per-signal", Coefs::per_signal(&sig, k)), ("per-sample", Coefs::per_sample(&ps, k))]
        {
            let out = sosfilt(cs, &xs, d, zis.as_deref()).unwrap();
            let what = format!("sosfilt case {i} ({name}, sections {}, T {t})", k / 6);
            assert_close(&what, &out.y, &repeat(&y, bs), RTOL, ATOL);
            if !c["zf"].is_null() {
                assert_close(&format!("{what} zf"), &out.zf, &repeat(&arr(&c["zf"]), bs), RTOL, ATOL);
            }
        }
    }
}

#[test]
fn sosfilt_zi_matches_scipy() {
    for (i, c) in load("sosfilt_zi.json").iter().enumerate() {
        let sos = arr(&c["sos"]);
        let zi = sosfilt_zi(Coefs::shared(&sos), 1).unwrap();
        assert_close(&format!("sosfilt_zi case {i}"), &zi, &arr(&c["zi"]), 1e-11, 1e-12);
    }
}

/// Time-varying semantics: switching coefficients mid-signal equals scipy run block by block with each
/// block's zf passed on as the next block's zi — both as per-sample coefficients and through a Stream.
#[test]
fn time_varying_lfilter_equals_scipy_block_by_block() {
    for (i, c) in load("lfilter_tv_blocks.json").iter().enumerate() {
        let blocks = c["blocks"].as_array().unwrap();
        let (x, zi) = (arr(&c["x"]), arr(&c["zi"]));
        let (nb, na) = (arr(&blocks[0]["b"]).len(), arr(&blocks[0]["a"]).len());
        let (mut bps, mut aps) = (vec![], vec![]);
        for blk in blocks {
            let n = blk["len"].as_u64().unwrap() as usize;
            bps.extend(repeat(&arr(&blk["b"]), n));
            aps.extend(repeat(&arr(&blk["a"]), n));
        }
        let out = lfilter(Coefs::per_sample(&bps, nb), Coefs::per_sample(&aps, na), &x, Dims::new(1, x.len()), Some(&zi)).unwrap();
        assert_close(&format!("tv lfilter case {i}"), &out.y, &arr(&c["y"]), RTOL, ATOL);
        assert_close(&format!("tv lfilter case {i} zf"), &out.zf, &arr(&c["zf"]), RTOL, ATOL);
        let mut s = Stream::with_state(1, &zi);
        let mut y = vec![0.0; x.len()];
        let mut t0 = 0;
        for blk in blocks {
            let n = blk["len"].as_u64().unwrap() as usize;
            let (b, a) = (arr(&blk["b"]), arr(&blk["a"]));
            s.lfilter(Coefs::shared(&b), Coefs::shared(&a), &x[t0..t0 + n], &mut y[t0..t0 + n]).unwrap();
            t0 += n;
        }
        assert_eq!(y, out.y, "tv lfilter case {i}: stream with per-block coefficients differs from per-sample coefficients");
        assert_eq!(s.state(), &out.zf[..]);
    }
}

#[test]
fn time_varying_sosfilt_equals_scipy_block_by_block() {
    for (i, c) in load("sosfilt_tv_blocks.json").iter().enumerate() {
        let blocks = c["blocks"].as_array().unwrap();
        let (x, zi) = (arr(&c["x"]), arr(&c["zi"]));
        let k = arr(&blocks[0]["sos"]).len();
        let mut ps = vec![];
        for blk in blocks {
            ps.extend(repeat(&arr(&blk["sos"]), blk["len"].as_u64().unwrap() as usize));
        }
        let out = sosfilt(Coefs::per_sample(&ps, k), &x, Dims::new(1, x.len()), Some(&zi)).unwrap();
        assert_close(&format!("tv sosfilt case {i}"), &out.y, &arr(&c["y"]), RTOL, ATOL);
        assert_close(&format!("tv sosfilt case {i} zf"), &out.zf, &arr(&c["zf"]), RTOL, ATOL);
    }
}
