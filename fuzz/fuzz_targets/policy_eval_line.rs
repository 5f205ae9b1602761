#![no_main]
//! `govscan policy eval` request lines: no panic, and statement order does not change a
//! decision (govscan_policy::fuzz_targets::policy_eval_line).
libfuzzer_sys::fuzz_target!(|data: &[u8]| govscan_policy::fuzz_targets::policy_eval_line(data));
