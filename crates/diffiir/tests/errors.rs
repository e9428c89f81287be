//! Every error variant, from every kind of public entry, with its message: bad input gives a typed error
//! naming the function and the argument — never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use diffiir::*;

#[track_caller]
fn err<T: std::fmt::Debug>(r: Result<T>, prefix: &str) -> Error {
    let e = r.expect_err("expected an error");
    assert!(e.to_string().starts_with(prefix), "message {:?} does not start with {prefix:?}", e.to_string());
    e
}

const B: [f64; 3] = [0.2, 0.4, 0.2];
const A: [f64; 3] = [1.0, -0.5, 0.2];

#[test]
fn shape_errors_name_function_argument_and_shapes() {
    let d = Dims::new(2, 4);
    let x = [0.0; 8];
    let e = err(
        lfilter(Coefs::shared(&B), Coefs::shared(&A), &x[..7], d, None),
        "lfilter: x has length 7; expected length 8 = [batch 2, time 4]",
    );
    assert!(matches!(e, Error::Shape { func: "lfilter", arg: "x", .. }));
    err(
        lfilter(Coefs::shared(&B), Coefs::shared(&A), &x, d, Some(&[0.0; 3])),
        "lfilter: zi has length 3; expected length 4 = [batch 2, max(len(a), len(b)) − 1 2]",
    );
    err(lfilter(Coefs::per_signal(&B, 3), Coefs::shared(&A), &x, d, None), "lfilter: b has length 3; expected length 6 = [batch 2, K 3]");
    err(
        lfilter(Coefs::shared(&B), Coefs::per_sample(&A, 3), &x, d, None),
        "lfilter: a has length 3; expected length 24 = [batch 2, time 4, K 3]",
    );
    err(allpole(&x, d, Coefs::shared(&[0.5]), Some(&[0.0; 3])), "allpole: zi has length 3");
    err(sosfilt(Coefs::shared(&[1.0, 0.0, 0.0, 1.0, 0.5]), &x, d, None), "sosfilt: sos has 5 coefficients per set; expected rows of 6");
    err(sosfilt(Coefs::shared(&[1.0, 0.0, 0.0, 1.0, 0.5, 0.0]), &x, d, Some(&[0.0; 2])), "sosfilt: zi has length 2; expected length 4");
    let mut y = [0.0; 8];
    let mut small = [0.0; 3];
    err(
        lfilter_into(Coefs::shared(&B), Coefs::shared(&A), &x, d, None, &mut y, None, &mut small, Par::Seq),
        "lfilter: scratch has length 3; expected length ≥",
    );
    err(
        lfilter_into(Coefs::shared(&B), Coefs::shared(&A), &x, d, None, &mut y[..5], None, &mut small, Par::Seq),
        "lfilter: y has length 5",
    );
    let mut gb = [0.0; 1];
    let out = LfilterGradsMut { x: None, b: Some(&mut gb), a: None, zi: None };
    err(
        lfilter_adjoint_into(Coefs::shared(&B), Coefs::shared(&A), &x, &x, d, &x, None, out, &mut [], Par::Seq),
        "lfilter_adjoint: grad b has length 1; expected length 3",
    );
    err(lfilter_adjoint(Coefs::shared(&B), Coefs::shared(&A), &x, &x, d, &x[..2], None), "lfilter_adjoint: gy has length 2");
    err(allpole_adjoint(&x, d, Coefs::shared(&[0.5]), None, &x, Some(&[0.0])), "allpole_adjoint: gzf has length 1");
    let sos = [1.0, 0.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0, 0.0, 1.0, 0.5, 0.0];
    err(sosfilt_adjoint(Coefs::shared(&sos), &x, &x, &[], d, &x, None), "sosfilt_adjoint: tape has length 0; expected length");
    err(lfilter_zi(Coefs::per_sample(&B, 3), Coefs::per_sample(&A, 3), 1), "lfilter_zi: b, a has layouts PerSample and PerSample");
    err(lfilter_zi_adjoint(Coefs::shared(&B), Coefs::shared(&A), 1, &[0.0]), "lfilter_zi_adjoint: gzi has length 1; expected length 2");
    // An absurd shape is an error, not an overflow panic.
    err(lfilter(Coefs::shared(&B), Coefs::shared(&A), &x, Dims::new(usize::MAX, 3), None), "lfilter: x has length 8");
    // A stream fed a block whose length is not a multiple of the batch.
    err(Stream::new(2, 2).lfilter(Coefs::shared(&B), Coefs::shared(&A), &[0.0; 5], &mut [0.0; 5]), "lfilter: x has length 5");
}

#[test]
fn empty_coefficients() {
    let x = [0.0; 4];
    let d = Dims::new(1, 4);
    assert!(matches!(err(lfilter(Coefs::shared(&[]), Coefs::shared(&A), &x, d, None), "lfilter: b is empty"), Error::Empty { .. }));
    err(lfilter(Coefs::shared(&B), Coefs::shared(&[]), &x, d, None), "lfilter: a is empty");
    err(allpole(&x, d, Coefs::<f64>::shared(&[]), None), "allpole: a is empty");
    err(sosfilt(Coefs::<f64>::shared(&[]), &x, d, None), "sosfilt: sos is empty");
}

#[test]
fn zero_leading_coefficient() {
    let x = [0.0; 4];
    let d = Dims::new(1, 4);
    let e = err(lfilter(Coefs::shared(&B), Coefs::shared(&[0.0, 1.0]), &x, d, None), "lfilter: a[0] is zero in coefficient set 0");
    assert!(matches!(e, Error::ZeroLeadingCoefficient { index: 0, .. }));
    let mut tv = [1.0, 0.5].repeat(4);
    tv[4] = 0.0;
    err(lfilter(Coefs::shared(&B), Coefs::per_sample(&tv, 2), &x, d, None), "lfilter: a[0] is zero in coefficient set 2");
    err(
        sosfilt(Coefs::shared(&[1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]), &x, d, None),
        "sosfilt: sos[0] is zero in coefficient set 1",
    );
    err(lfilter_zi(Coefs::shared(&B), Coefs::shared(&[0.0, 1.0]), 1), "lfilter_zi: a[0] is zero");
}

/// Per-sample `b` and `a` (and per-sample `sos`) have their `a0` checked by the kernel as it normalises them,
/// not by a pass before it: the same error, on every path, forward and adjoint, wherever the zero lies (last
/// signal of a partial lane chunk, last sample, the chunked path's tail).
#[test]
fn zero_leading_coefficient_per_sample_found_by_the_kernel() {
    for (d, par) in [
        (Dims::new(3, 50), Par::Seq),
        (Dims::new(19, 300), Par::Rayon(2).with_grain(0)),
        (Dims::new(1, 5000), Par::Seq.with_path(Path::Chunked)),
        (Dims::new(1, 5000), Par::Rayon(2).with_grain(0).with_path(Path::Chunked)),
    ] {
        let n = d.numel();
        let x = vec![0.5; n];
        for zero_at in [0, n / 2, n - 1] {
            let want = format!("a[0] is zero in coefficient set {zero_at}");
            let (bs, mut as_) = ([0.2, 0.4, 0.2].repeat(n), [1.0, -0.5, 0.2].repeat(n));
            as_[zero_at * 3] = 0.0;
            let (cb, ca) = (Coefs::per_sample(&bs, 3), Coefs::per_sample(&as_, 3));
            let mut y = vec![0.0; n];
            let mut s = vec![0.0; lfilter_scratch_len(&cb, &ca, d, par)];
            err(lfilter_into(cb, ca, &x, d, None, &mut y, None, &mut s, par), &format!("lfilter: {want}"));
            let mut sa = vec![0.0; lfilter_adjoint_scratch_len(&cb, &ca, d, par)];
            let (mut gb, mut ga) = (vec![0.0; 3 * n], vec![0.0; 3 * n]);
            let out = LfilterGradsMut { x: None, b: Some(&mut gb), a: Some(&mut ga), zi: None };
            err(lfilter_adjoint_into(cb, ca, &x, &x, d, &x, None, out, &mut sa, par), &format!("lfilter_adjoint: {want}"));
            let mut sos = [0.2, 0.4, 0.2, 1.0, -0.5, 0.2, 1.0, 0.0, 0.0, 1.0, 0.1, 0.0].repeat(n);
            sos[zero_at * 12 + 9] = 0.0;
            let cs = Coefs::per_sample(&sos, 12);
            let mut s = vec![0.0; sosfilt_scratch_len(&cs, d, par)];
            let mut tape = vec![0.0; sosfilt_tape_len::<f64>(d, 2)];
            let got = sosfilt_into(cs, &x, d, None, &mut y, None, Some(&mut tape), &mut s, par);
            err(got, &format!("sosfilt: sos[0] is zero in coefficient set {}", 2 * zero_at + 1));
            let mut sa = vec![0.0; sosfilt_adjoint_scratch_len(&cs, d, par)];
            let mut gs = vec![0.0; 12 * n];
            let out = SosfiltGradsMut { x: None, sos: Some(&mut gs), zi: None };
            let got = sosfilt_adjoint_into(cs, &x, &x, &tape, d, &x, None, out, &mut sa, par);
            err(got, &format!("sosfilt_adjoint: sos[0] is zero in coefficient set {}", 2 * zero_at + 1));
        }
    }
}

#[test]
fn singular_steady_state() {
    let e = err(
        lfilter_zi(Coefs::shared(&B), Coefs::shared(&[1.0, -1.0]), 1),
        "lfilter_zi: a has sum(a) = 0 in coefficient set 0 (a pole at z = 1)",
    );
    assert!(matches!(e, Error::Singular { .. }));
    err(sosfilt_zi(Coefs::shared(&[1.0, 0.0, 0.0, 1.0, -2.0, 1.0]), 1), "sosfilt_zi: sos has sum(a) = 0");
    err(sosfilt_zi_adjoint(Coefs::shared(&[1.0, 0.0, 0.0, 1.0, -2.0, 1.0]), 1, &[0.0, 0.0]), "sosfilt_zi_adjoint: sos has sum(a) = 0");
}
