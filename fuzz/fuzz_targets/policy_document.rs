#![no_main]
//! Policy documents: parsed and evaluated without panicking
//! (govscan_policy::fuzz_targets::policy_document).
libfuzzer_sys::fuzz_target!(|data: &[u8]| govscan_policy::fuzz_targets::policy_document(data));
