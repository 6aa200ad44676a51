#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| restrait_fuzz::path_encoding(data));
