//! Where snapshots and the trail lake live (a folder or S3, through one storage layer),
//! their manifest, and the atomic-write discipline.

pub mod catalog;
pub mod crash;
pub mod data_dir;
pub mod diff;
pub mod manifest;
pub mod objects;
pub mod snapshot;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use catalog::Snapshot;
pub use data_dir::DataDir;
pub use manifest::Manifest;
pub use objects::DataStore;
pub use snapshot::SnapshotWriter;
pub use table::{col, ColumnDef, ColumnType, TableDef, TableRows, Value};

/// The trail lake's folder in a data directory: `event_date=YYYY-MM-DD/` partitions of
/// Parquet files.
pub const LAKE: &str = "trail/cloudtrail_events";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: writing Parquet: {source}")]
    Parquet {
        path: PathBuf,
        source: datafusion::parquet::errors::ParquetError,
    },
    #[error("table {table}: {source}")]
    Arrow {
        table: String,
        source: datafusion::arrow::error::ArrowError,
    },
    #[error("{path}: manifest is not valid: {source}")]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("no snapshot {wanted:?} in {dir} (run `govscan snapshots` to list them)")]
    SnapshotNotFound { wanted: String, dir: PathBuf },
    #[error("no snapshots in {dir} yet (run `govscan collect` first)")]
    NoSnapshots { dir: PathBuf },
    #[error("{0}")]
    Rows(String),
    #[error("snapshot {id}: {message}")]
    Shards { id: String, message: String },
    #[error("{0}")]
    Remote(String),
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` so that a reader sees either the old file or the whole new one:
/// write a sibling temporary file, flush it to disk, then rename it over the target.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    // A device, a pipe or a socket (`--output /dev/null`, `--output /dev/stdout`, a FIFO)
    // is written to as it is: renaming a temporary file over it would replace the device
    // itself with a regular file, for every program on the machine.
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() && !meta.is_dir() {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(bytes))
                .map_err(io_err(path));
        }
    }
    // The temporary file gets a name of its own (not one derived from the process), so two
    // writers of one path in one process never write into each other's file.
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // What File::create would give (0666 less the umask), not tempfile's private 0600: a
    // report or a data directory is often read by another user than the one who wrote it.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir).map_err(io_err(path))?;
    file.write_all(bytes).map_err(io_err(path))?;
    file.as_file().sync_all().map_err(io_err(path))?;
    // A failed persist drops the temporary file, which removes it.
    file.persist(path).map_err(|e| io_err(path)(e.error))?;
    crash::wrote(path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--output /dev/null` once replaced the machine's /dev/null with a regular file.
    #[test]
    fn writing_to_a_device_or_a_pipe_writes_through_it() {
        atomic_write(Path::new("/dev/null"), b"discarded").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must stay a device");
        // A FIFO: the bytes arrive at its reader, and the FIFO stays a FIFO.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read(fifo).unwrap())
            };
            atomic_write(&fifo, b"through the pipe").unwrap();
            assert_eq!(reader.join().unwrap(), b"through the pipe");
            assert!(!std::fs::metadata(&fifo).unwrap().is_file());
        }
    }

    #[test]
    fn atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        atomic_write(&path, b"old").unwrap();
        atomic_write(&path, b"new contents").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new contents");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.json")]);
    }

    /// The temporary file was once named by the process id: two writers of one path in
    /// one process wrote into the same temporary file.
    #[test]
    fn two_writers_of_one_path_leave_one_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.json");
        let big = |c: u8| vec![c; 1 << 20];
        std::thread::scope(|s| {
            for c in [b'a', b'b', b'c', b'd'] {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..5 {
                        atomic_write(path, &big(c)).unwrap();
                    }
                });
            }
        });
        let written = std::fs::read(&path).unwrap();
        assert_eq!(written.len(), 1 << 20);
        assert!(written.iter().all(|b| *b == written[0]), "a mix of writers");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_is_readable_as_file_create_would_make_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        atomic_write(&path, b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let created = dir.path().join("created");
        std::fs::File::create(&created).unwrap();
        let expected = std::fs::metadata(&created).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected);
    }

    #[test]
    fn atomic_write_into_a_missing_folder_fails_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/f.json");
        let err = atomic_write(&path, b"x").unwrap_err().to_string();
        assert!(err.contains("missing/f.json"), "{err}");
    }
}
