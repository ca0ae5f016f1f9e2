//! Splitting an organisation into shards: `--shard I/N` rates the repositories whose path
//! hashes to `I` (FNV-1a, 64 bits, of the path's UTF-8 bytes, modulo `N`, plus one).
//!
//! Why a hash and not "every N-th repository of the sorted list": a repository's shard
//! depends on its own path and on `N` only. Adding or removing repositories never moves
//! the others to another shard (their results, caches and logs stay where they were), and
//! with hundreds of repositories the shards come out within a few percent of each other.
//! FNV-1a is written out here rather than taken from std because std's hasher may change
//! between Rust versions, and a shard must mean the same thing on every machine of a CI
//! matrix and in every release.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One share of an organisation: the `index`-th of `count` (1-based).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct Shard {
    /// 1-based, `1..=count`.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether the repository at `path` (as it appears in the report) belongs to this shard.
    pub fn contains(&self, path: &str) -> bool {
        shard_of(path, self.count) == self.index
    }
}

/// The shard (1-based) of the repository at `path` when an organisation is split in `count`.
pub fn shard_of(path: &str, count: u32) -> u32 {
    let count = count.max(1);
    (fnv1a64(path.as_bytes()) % u64::from(count)) as u32 + 1
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N` with `1 <= I <= N`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let expected = || format!("expected I/N with 1 <= I <= N (e.g. 2/4), got `{text}`");
        let (index, count) = text.trim().split_once('/').ok_or_else(expected)?;
        let index: u32 = index.trim().parse().map_err(|_| expected())?;
        let count: u32 = count.trim().parse().map_err(|_| expected())?;
        if count == 0 || index == 0 || index > count {
            return Err(expected());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_i_of_n() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(" 1 / 1 ".parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "1/0", "4", "a/b", "-1/4", "", "1/4/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
    }

    #[test]
    fn fnv_matches_the_reference_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_path_lands_in_exactly_one_shard_and_shards_are_balanced() {
        let paths: Vec<String> = (0..1000)
            .map(|i| format!("team-{}/svc-{i}", i % 7))
            .collect();
        let mut sizes = [0usize; 4];
        for p in &paths {
            let s = shard_of(p, 4);
            assert!((1..=4).contains(&s));
            let owners = (1..=4)
                .filter(|i| {
                    Shard {
                        index: *i,
                        count: 4,
                    }
                    .contains(p)
                })
                .count();
            assert_eq!(owners, 1);
            sizes[(s - 1) as usize] += 1;
        }
        for size in sizes {
            assert!((200..=300).contains(&size), "{sizes:?}");
        }
    }

    /// Pinned: a release that moved repositories between shards would split results of
    /// one scan across two runs' shards.
    #[test]
    fn shards_are_pinned() {
        let got: Vec<u32> = ["payments/checkout", "search/indexer", "web", "a/b/c"]
            .iter()
            .map(|p| shard_of(p, 4))
            .collect();
        assert_eq!(got, [4, 2, 2, 4]);
        assert_eq!(shard_of("anything", 1), 1);
    }
}
