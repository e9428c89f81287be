//! Fuzz target: see `fuzz/src/checks.rs` (`freq_param`).
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::freq_param(data));
