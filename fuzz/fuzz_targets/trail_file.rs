#![no_main]
// The body is govscan::fuzz_targets::trail_file, which tests/it/fuzz_corpus.rs also runs on stable.
libfuzzer_sys::fuzz_target!(|data: &[u8]| govscan::fuzz_targets::trail_file(data));
