//! The fuzz checks (`fuzz/src/checks.rs`) as regression tests: every input kept in `fuzz/corpus/<target>/`
//! (the interesting inputs the fuzzers found, minimised) is replayed, plus 3000 deterministic pseudo-random inputs
//! per check, so the invariants are exercised on every `cargo test` even without the fuzzing toolchain.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);
const CHECKS: [(&str, Check); 3] =
    [("filters_any", checks::filters_any), ("filters_stable", checks::filters_stable), ("freq_param", checks::freq_param)];

#[test]
fn fuzz_corpus_replays() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut replayed = 0;
    for (name, check) in CHECKS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries {
            let path = e.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(result.is_ok(), "{name}: corpus input {} fails", path.display());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} corpus inputs");
}

#[test]
fn fuzz_checks_on_pseudo_random_inputs() {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    for (name, check) in CHECKS {
        for i in 0..3000 {
            let len = 16 + (i * 7) % 600;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    (s >> 24) as u8
                })
                .collect();
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(result.is_ok(), "{name}: input #{i} fails: {data:?}");
        }
    }
}
