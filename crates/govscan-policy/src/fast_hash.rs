//! A fast hash for the engine's small maps keyed by short strings (context keys, service
//! prefixes), looked up on every request: the standard library's SipHash resists
//! adversarial keys, which these maps, filled from the caller's own policies and request,
//! do not need, and costs a tenth of a decision. This is the Fx hash (rustc's).

use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A HashMap with the Fx hash.
pub type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_find_their_values() {
        let mut m: FastMap<String, usize> = FastMap::default();
        for (i, k) in [
            "aws:sourceip",
            "aws:username",
            "s3",
            "ec2",
            "",
            "a-long-key-of-many-words",
        ]
        .iter()
        .enumerate()
        {
            m.insert(k.to_string(), i);
        }
        assert_eq!(m.get("ec2"), Some(&3));
        assert_eq!(m.get(""), Some(&4));
        assert_eq!(m.get("a-long-key-of-many-words"), Some(&5));
        assert_eq!(m.get("iam"), None);
    }
}
