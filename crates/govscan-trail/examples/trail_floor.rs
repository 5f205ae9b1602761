//! How close `govscan trail ingest` comes to the floor of what is possible on this machine.
//!
//!     cargo run --release -p govscan-trail --example trail_floor -- CORPUS_DIR [THREADS]
//!
//! Times, over every file below CORPUS_DIR on THREADS threads (default: all cores):
//! 1. gzip inflate alone;
//! 2. inflate + a JSON parse that validates and builds nothing (`serde::de::IgnoredAny`):
//!    the floor for any reader of the records;
//! 3. inflate + govscan's parse into Arrow columns (what ingest does before dedup and
//!    Parquet).
//!
//! `scripts/bench-ingest` runs it on the benchmark corpus next to DuckDB and ingest.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 8);
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// Runs `work` over every file on `threads` threads; returns (seconds, sum of its results).
fn timed(compressed: &[Vec<u8>], threads: usize, work: fn(&[u8]) -> usize) -> (f64, usize) {
    let start = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let total: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut sum = 0;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(bytes) = compressed.get(i) else {
                            return sum;
                        };
                        sum += work(bytes);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum()
    });
    (start.elapsed().as_secs_f64(), total)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .expect("usage: trail_floor CORPUS_DIR [THREADS]"),
    );
    let threads = args
        .next()
        .map(|t| t.parse().expect("THREADS is a number"))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    // Files are read into memory first so the disk is not part of any figure.
    let compressed: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| std::fs::read(p).expect("readable"))
        .collect();
    let gz_mb = compressed.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;

    let (inflate_s, raw_bytes) = timed(&compressed, threads, |b| inflate(b).len());
    let (json_s, _) = timed(&compressed, threads, |b| {
        let text = inflate(b);
        serde_json::from_slice::<serde::de::IgnoredAny>(&text).expect("valid JSON");
        0
    });
    let (parse_s, events) = timed(&compressed, threads, |b| {
        let schema = govscan_trail::schema::event_schema();
        let parsed = govscan_trail::parse::parse_file(&inflate(b), "f", &schema)
            .expect("a valid trail file");
        parsed.days.len()
    });
    println!(
        "{} files, {gz_mb:.1} MB gzipped, {:.1} MB JSON, {events} events, {threads} threads",
        compressed.len(),
        raw_bytes as f64 / 1e6
    );
    for (label, secs) in [
        ("inflate", inflate_s),
        ("inflate+json", json_s),
        ("inflate+columns", parse_s),
    ] {
        println!(
            "{label:16} {secs:6.2}s  {:9.0} events/s  {:6.1} MB/s gzipped",
            events as f64 / secs,
            gz_mb / secs
        );
    }
}
