#![no_main]
// The body is govscan::fuzz_targets::sigma_rule, which tests/it/fuzz_corpus.rs also runs on stable.
libfuzzer_sys::fuzz_target!(|data: &[u8]| govscan::fuzz_targets::sigma_rule(data));
