//! Where CloudTrail files come from: files and folders on this machine (walked, hidden
//! entries skipped) and S3 prefixes, each with what identifies its version for the
//! checkpoint.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{io, IngestError};

/// What the checkpoint remembers of an ingested file: if size and modification time are
/// unchanged, the file is not read again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Seen {
    pub(super) size: u64,
    pub(super) modified: i64,
}

/// Where an input file is.
#[derive(Debug, Clone)]
pub(super) enum Location {
    Local(PathBuf),
    S3 { bucket: String, key: String },
}

/// A file to ingest: its name in reports, its checkpoint key, and what identifies its version.
#[derive(Debug, Clone)]
pub(super) struct InputFile {
    pub(super) name: String,
    pub(super) checkpoint_key: String,
    pub(super) seen: Seen,
    pub(super) location: Location,
}

pub(super) fn local_inputs(path: &Path, out: &mut Vec<InputFile>) -> Result<(), IngestError> {
    let mut files = Vec::new();
    walk(path, &mut files)?;
    for f in files {
        let meta = std::fs::metadata(&f).map_err(io(&f))?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        out.push(InputFile {
            name: f.display().to_string(),
            checkpoint_key: std::fs::canonicalize(&f)
                .unwrap_or(f.clone())
                .display()
                .to_string(),
            seen: Seen {
                size: meta.len(),
                modified,
            },
            location: Location::Local(f),
        });
    }
    Ok(())
}

pub(super) async fn s3_inputs(
    client: &aws_sdk_s3::Client,
    url: &str,
    bucket: &str,
    prefix: &str,
    out: &mut Vec<InputFile>,
) -> Result<(), IngestError> {
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            let info = crate::aws::error_info(&e);
            IngestError::S3List {
                url: url.to_owned(),
                code: info.code,
                message: info.message,
            }
        })?;
        for object in page.contents.unwrap_or_default() {
            let Some(key) = object.key else { continue };
            if key.ends_with('/') {
                continue;
            }
            out.push(InputFile {
                name: format!("s3://{bucket}/{key}"),
                checkpoint_key: format!("s3://{bucket}/{key}"),
                seen: Seen {
                    size: object.size.unwrap_or(0).max(0) as u64,
                    modified: object.last_modified.map_or(0, |t| t.secs()),
                },
                location: Location::S3 {
                    bucket: bucket.to_owned(),
                    key,
                },
            });
        }
    }
    Ok(())
}

pub(super) async fn fetch_object(
    client: Option<&aws_sdk_s3::Client>,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, String> {
    let client = client.expect("an S3 client exists when an S3 source was given");
    let object = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| {
            let info = crate::aws::error_info(&e);
            format!("{}: {}", info.code, info.message)
        })?;
    let body = object
        .body
        .collect()
        .await
        .map_err(|e| format!("reading the object: {e}"))?;
    Ok(body.into_bytes().to_vec())
}

/// The files at `path` (a file, or a folder walked in name order), skipping hidden ones
/// (`.staging-*`, editors' dot files) below it.
pub(super) fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let hidden =
        |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    for entry in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !hidden(e))
    {
        let entry = entry.map_err(|e| IngestError::Io {
            path: e.path().unwrap_or(path).to_path_buf(),
            source: e.into(),
        })?;
        if !entry.file_type().is_dir() {
            out.push(entry.into_path());
        }
    }
    Ok(())
}
