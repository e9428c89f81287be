use diffiir::*;
use std::time::Instant;
fn main() {
    let which = std::env::args().nth(1).unwrap_or("adj".into());
    let b: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(16);
    let t: usize = std::env::args().nth(3).map(|s| s.parse().unwrap()).unwrap_or(48000);
    let d = Dims::new(b, t);
    let x: Vec<f32> = (0..b * t).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let bb: Vec<f32> = [0.1f32, 0.2, 0.1].repeat(b);
    let aa: Vec<f32> = [1.0f32, -1.5, 0.7].repeat(b);
    let (cb, ca) = (Coefs::per_signal(&bb, 3), Coefs::per_signal(&aa, 3));
    let par = Par::Seq;
    let mut y = vec![0f32; b * t];
    let mut s = vec![0f32; lfilter_scratch_len(&cb, &ca, d, par)];
    let mut sa = vec![0f32; lfilter_adjoint_scratch_len(&cb, &ca, d, par)];
    let (mut gx, mut gb, mut ga) = (vec![0f32; b * t], vec![0f32; 3 * b], vec![0f32; 3 * b]);
    lfilter_into(cb, ca, &x, d, None, &mut y, None, &mut s, par).unwrap();
    let gy = y.clone();
    let mut best = f64::MAX;
    for _ in 0..100 {
        let st = Instant::now();
        match which.as_str() {
            "fwd" => lfilter_into(cb, ca, &x, d, None, &mut y, None, &mut s, par).unwrap(),
            "adjx" => {
                let out = LfilterGradsMut { x: Some(&mut gx), b: None, a: None, zi: None };
                lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut sa, par).unwrap()
            }
            _ => {
                let out = LfilterGradsMut { x: Some(&mut gx), b: Some(&mut gb), a: Some(&mut ga), zi: None };
                lfilter_adjoint_into(cb, ca, &x, &y, d, &gy, None, out, &mut sa, par).unwrap()
            }
        }
        best = best.min(st.elapsed().as_secs_f64() * 1e3);
    }
    println!("{which} [{b}, {t}]: best {best:.3} ms");
}
