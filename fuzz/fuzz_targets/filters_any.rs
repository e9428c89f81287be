//! Fuzz target: see `fuzz/src/checks.rs` (`filters_any`).
#![no_main]

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::filters_any(data));
