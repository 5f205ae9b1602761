//! A data directory on S3 (`--data-dir s3://bucket/prefix`), read in place: snapshots and
//! the trail lake are registered on the session as `s3://` table locations, and DataFusion
//! reads them through the object store, with the credentials of the standard AWS chain and
//! `--endpoint-url` (so tests run against moto). Readers see only what is published: a
//! snapshot whose `manifest.json` is not there yet is not a snapshot.

use std::path::Path;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};

use super::manifest::Manifest;
use super::snapshot::MANIFEST_FILE;
use super::DataDir;
use super::StoreError;

/// `s3://bucket/prefix`, parsed (by [`super::DataDir`], the one place that parses it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Dir {
    pub bucket: String,
    /// Without leading or trailing slash; may be empty.
    pub prefix: String,
    /// The S3 endpoint (`--endpoint-url`); None: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else
    /// AWS's own.
    pub endpoint: Option<String>,
}

fn remote_err(what: String) -> StoreError {
    StoreError::Remote(what)
}

impl S3Dir {
    /// `text` as an S3 location, when it is one.
    pub(super) fn parse(text: &str) -> Option<S3Dir> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        (!bucket.is_empty()).then(|| S3Dir {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            endpoint: None,
        })
    }

    /// The object key of `relative` (`snapshots/x/manifest.json`).
    pub fn key(&self, relative: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(relative)
        } else {
            ObjectPath::from(format!("{}/{relative}", self.prefix))
        }
    }

    /// The `s3://` URL of `relative`, as DataFusion takes table locations.
    pub fn url(&self, relative: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.key(relative))
    }

    pub fn bucket_url(&self) -> url::Url {
        url::Url::parse(&format!("s3://{}", self.bucket)).expect("a bucket name makes a URL")
    }
}

/// An S3 client for the bucket: credentials and region from the standard AWS chain (env,
/// profile, SSO, instance role), the endpoint the data directory carries
/// (`--endpoint-url`), else the environment's.
pub async fn open_store(dir: &S3Dir) -> Result<Arc<dyn ObjectStore>, StoreError> {
    use aws_credential_types::provider::ProvideCredentials;
    let config = crate::aws::sdk_defaults().load().await;
    let credentials = config
        .credentials_provider()
        .ok_or_else(|| remote_err("no AWS credentials to read S3 with".into()))?
        .provide_credentials()
        .await
        .map_err(|e| remote_err(format!("AWS credentials: {e}")))?;
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(&dir.bucket)
        .with_region(
            config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".into()),
        )
        .with_access_key_id(credentials.access_key_id())
        .with_secret_access_key(credentials.secret_access_key());
    if let Some(token) = credentials.session_token() {
        builder = builder.with_token(token);
    }
    let builder = match &dir.endpoint {
        Some(endpoint) => with_endpoint(builder, endpoint),
        None => with_env_endpoint(builder),
    };
    let store = builder
        .build()
        .map_err(|e| remote_err(format!("s3://{}: {e}", dir.bucket)))?;
    Ok(Arc::new(store))
}

/// The S3 endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, as the SDK takes it, when
/// one is set: the cluster's scheduler and executors, which have no `--data-dir`, and a data
/// directory given no `--endpoint-url`.
pub fn with_env_endpoint(builder: AmazonS3Builder) -> AmazonS3Builder {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_S3")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .ok();
    match endpoint {
        Some(endpoint) => with_endpoint(builder, &endpoint),
        None => builder,
    }
}

/// An endpoint such as moto's serves buckets by path, and may be plain HTTP.
fn with_endpoint(builder: AmazonS3Builder, endpoint: &str) -> AmazonS3Builder {
    builder
        .with_endpoint(endpoint)
        .with_allow_http(endpoint.starts_with("http://"))
        .with_virtual_hosted_style_request(false)
}

async fn get(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    relative: &str,
) -> Result<bytes::Bytes, StoreError> {
    get_key(store, dir, &dir.key(relative)).await
}

/// The published snapshots (those with a manifest), oldest first.
pub async fn snapshot_ids(store: &dyn ObjectStore, dir: &S3Dir) -> Result<Vec<String>, StoreError> {
    let listing = store
        .list_with_delimiter(Some(&dir.key("snapshots")))
        .await
        .map_err(|e| remote_err(format!("{}: {e}", dir.url("snapshots/"))))?;
    let mut ids = Vec::new();
    for prefix in listing.common_prefixes {
        let Some(id) = prefix.filename().map(str::to_owned) else {
            continue;
        };
        if id.starts_with('.') {
            continue;
        }
        let manifest = dir.key(&format!("snapshots/{id}/{MANIFEST_FILE}"));
        if store.head(&manifest).await.is_ok() {
            ids.push(id);
        }
    }
    ids.sort();
    Ok(ids)
}

/// The snapshot `wanted` (the latest when None) and its manifest.
pub async fn resolve(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    wanted: Option<&str>,
) -> Result<(String, Manifest), StoreError> {
    let ids = snapshot_ids(store, dir).await?;
    let id = match wanted {
        Some(w) => match ids.iter().find(|id| *id == w) {
            Some(id) => id.clone(),
            None => {
                let pending = pending_snapshots(store, dir).await?;
                if let Some((_, shards)) = pending.iter().find(|(id, _)| id == w) {
                    return Err(StoreError::Shards {
                        id: w.to_owned(),
                        message: format!(
                            "is not finalized ({shards} shard(s) collected): run `govscan snapshots finalize {w}` when every shard is in"
                        ),
                    });
                }
                return Err(StoreError::SnapshotNotFound {
                    wanted: w.to_owned(),
                    dir: dir.url("snapshots").into(),
                });
            }
        },
        None => ids.last().cloned().ok_or_else(|| StoreError::NoSnapshots {
            dir: dir.url("snapshots").into(),
        })?,
    };
    let manifest = read_manifest(store, dir, &id).await?;
    Ok((id, manifest))
}

/// The manifest of snapshot `id`.
async fn read_manifest(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    id: &str,
) -> Result<Manifest, StoreError> {
    let path = format!("snapshots/{id}/{MANIFEST_FILE}");
    let bytes = get(store, dir, &path).await?;
    serde_json::from_slice(&bytes).map_err(|source| StoreError::Manifest {
        path: dir.url(&path).into(),
        source,
    })
}

/// Whether anything is stored under `relative/`.
pub async fn exists(store: &dyn ObjectStore, dir: &S3Dir, relative: &str) -> bool {
    use futures::StreamExt;
    let prefix = dir.key(relative);
    store.list(Some(&prefix)).next().await.is_some()
}

/// The rows of a snapshot table, read from its parts in S3.
pub async fn read_rows(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    id: &str,
    table: &str,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, StoreError> {
    let mut keys = list_keys(store, dir, &format!("snapshots/{id}/{table}")).await?;
    keys.retain(|k| k.as_ref().ends_with(".parquet"));
    keys.sort();
    // A snapshot of the older layout keeps the table in one `<table>.parquet`.
    let single = dir.key(&format!("snapshots/{id}/{table}.parquet"));
    if keys.is_empty() && store.head(&single).await.is_ok() {
        keys.push(single);
    }
    let mut rows = Vec::new();
    for key in keys {
        let bytes = get_key(store, dir, &key).await?;
        rows.extend(super::snapshot::rows_from_parquet(
            bytes,
            table,
            Path::new(key.as_ref()),
        )?);
    }
    Ok(rows)
}

/// Every published snapshot with its manifest (or why it could not be read), oldest first.
pub async fn list_snapshots(
    store: &dyn ObjectStore,
    dir: &S3Dir,
) -> Result<Vec<super::snapshot::ListedSnapshot>, StoreError> {
    let mut listed = Vec::new();
    for id in snapshot_ids(store, dir).await? {
        let manifest = read_manifest(store, dir, &id).await;
        listed.push((dir.url(&format!("snapshots/{id}")).into(), manifest));
    }
    Ok(listed)
}

/// The folder names directly under `relative/`.
async fn children(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    relative: &str,
) -> Result<Vec<String>, StoreError> {
    let listing = store
        .list_with_delimiter(Some(&dir.key(relative)))
        .await
        .map_err(|e| remote_err(format!("{}: {e}", dir.url(relative))))?;
    let mut names: Vec<String> = listing
        .common_prefixes
        .iter()
        .filter_map(|p| p.filename().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// Snapshot ids with shards waiting for `snapshots finalize`, and how many each has.
pub async fn pending_snapshots(
    store: &dyn ObjectStore,
    dir: &S3Dir,
) -> Result<Vec<(String, usize)>, StoreError> {
    let shards_root = format!("snapshots/{}", super::snapshot::SHARDS);
    let mut pending = Vec::new();
    for id in children(store, dir, &shards_root).await? {
        let mut complete = 0;
        for shard in children(store, dir, &format!("{shards_root}/{id}")).await? {
            let manifest = dir.key(&format!("{shards_root}/{id}/{shard}/{MANIFEST_FILE}"));
            if !shard.starts_with('.') && store.head(&manifest).await.is_ok() {
                complete += 1;
            }
        }
        if complete > 0 {
            pending.push((id, complete));
        }
    }
    Ok(pending)
}

/// Uploads the files below `local` to `relative/`, the manifest last: readers take a
/// snapshot (or shard) as published once its manifest is there, and every part it names is
/// there before it. Each object is one PUT, whole or absent.
pub async fn upload_folder(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    local: &Path,
    relative: &str,
) -> Result<(), StoreError> {
    let mut files = Vec::new();
    let mut pending = vec![local.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|source| StoreError::Io {
            path: folder.clone(),
            source,
        })?;
        for entry in entries {
            let path = entry
                .map_err(|source| StoreError::Io {
                    path: folder.clone(),
                    source,
                })?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    // The manifest sorts last; everything else in a stable order.
    files.sort_by_key(|p| (p.file_name().is_some_and(|n| n == MANIFEST_FILE), p.clone()));
    for path in files {
        let inside = path
            .strip_prefix(local)
            .expect("found below local")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let target = format!("{relative}/{inside}");
        let bytes = std::fs::read(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        store
            .put(&dir.key(&target), bytes.into())
            .await
            .map_err(|e| remote_err(format!("{}: {e}", dir.url(&target))))?;
    }
    Ok(())
}

/// Downloads every object under `relative/` into `local`, keeping the folder layout; the
/// number of files.
pub async fn download_folder(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    relative: &str,
    local: &Path,
) -> Result<usize, StoreError> {
    let prefix = dir.key(relative);
    let keys = list_keys(store, dir, relative).await?;
    for key in &keys {
        let inside: Vec<String> = key
            .prefix_match(&prefix)
            .expect("listed under the prefix")
            .map(|part| part.as_ref().to_owned())
            .collect();
        // A key is a name, not a path: `..` or an absolute part must not leave `local`.
        if inside
            .iter()
            .any(|p| p == ".." || p == "." || p.contains('\\'))
        {
            return Err(remote_err(format!(
                "s3://{}/{key}: not a plain key",
                dir.bucket
            )));
        }
        let path = inside
            .iter()
            .fold(local.to_path_buf(), |p, part| p.join(part));
        let parent = path.parent().expect("below local");
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
            path: parent.to_owned(),
            source,
        })?;
        let bytes = get_key(store, dir, key).await?;
        super::atomic_write(&path, &bytes)?;
    }
    Ok(keys.len())
}

/// Deletes every object under `relative/`.
pub async fn delete_folder(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    relative: &str,
) -> Result<(), StoreError> {
    for key in list_keys(store, dir, relative).await? {
        store
            .delete(&key)
            .await
            .map_err(|e| remote_err(format!("s3://{}/{key}: {e}", dir.bucket)))?;
    }
    Ok(())
}

/// Every key under `relative/`.
pub async fn list_keys(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    relative: &str,
) -> Result<Vec<ObjectPath>, StoreError> {
    use futures::TryStreamExt;
    store
        .list(Some(&dir.key(relative)))
        .map_ok(|meta| meta.location)
        .try_collect()
        .await
        .map_err(|e| remote_err(format!("{}: {e}", dir.url(relative))))
}

/// The bytes of the object at `key`.
pub async fn get_key(
    store: &dyn ObjectStore,
    dir: &S3Dir,
    key: &ObjectPath,
) -> Result<bytes::Bytes, StoreError> {
    let url = format!("s3://{}/{key}", dir.bucket);
    store
        .get(key)
        .await
        .map_err(|e| remote_err(format!("{url}: {e}")))?
        .bytes()
        .await
        .map_err(|e| remote_err(format!("{url}: {e}")))
}

/// A local folder for work on its way to or from S3, removed when dropped.
pub struct Staging(std::path::PathBuf);

impl Staging {
    pub fn new(what: &str) -> Result<Self, StoreError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("govscan-{what}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Staging(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where a snapshot's files are: a folder on this machine, or a snapshot of a data
/// directory on S3.
#[derive(Clone)]
pub enum SnapshotSource {
    Local(std::path::PathBuf),
    Remote {
        store: Arc<dyn ObjectStore>,
        dir: S3Dir,
        id: String,
    },
}

impl std::fmt::Debug for SnapshotSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for SnapshotSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotSource::Local(p) => write!(f, "{}", p.display()),
            SnapshotSource::Remote { dir, id, .. } => {
                write!(f, "{}", dir.url(&format!("snapshots/{id}")))
            }
        }
    }
}

impl SnapshotSource {
    /// The snapshot `wanted` (id or path; the latest when None) of a local or S3 data
    /// directory.
    pub async fn resolve(data_dir: &DataDir, wanted: Option<&str>) -> Result<Self, StoreError> {
        match data_dir {
            DataDir::S3(dir) => {
                let store = open_store(dir).await?;
                let (id, _) = resolve(store.as_ref(), dir, wanted).await?;
                Ok(SnapshotSource::Remote {
                    store,
                    dir: dir.clone(),
                    id,
                })
            }
            DataDir::Local(path) => Ok(SnapshotSource::Local(super::snapshot::resolve_snapshot(
                path, wanted,
            )?)),
        }
    }

    /// The rows of one of the snapshot's tables, as JSON objects by column name.
    pub async fn read_rows(
        &self,
        table: &str,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, StoreError> {
        match self {
            SnapshotSource::Local(dir) => super::snapshot::read_rows(dir, table),
            SnapshotSource::Remote { store, dir, id } => {
                read_rows(store.as_ref(), dir, id, table).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_data_dirs_parse() {
        let d = S3Dir::parse("s3://sec-lake/govscan/prod/").unwrap();
        assert_eq!(
            (d.bucket.as_str(), d.prefix.as_str()),
            ("sec-lake", "govscan/prod")
        );
        assert_eq!(
            d.url("snapshots/x/"),
            "s3://sec-lake/govscan/prod/snapshots/x"
        );
        let bare = S3Dir::parse("s3://sec-lake").unwrap();
        assert_eq!(
            bare.url("trail/cloudtrail_events"),
            "s3://sec-lake/trail/cloudtrail_events"
        );
        assert!(S3Dir::parse("./govscan-data").is_none());
        assert!(S3Dir::parse("s3://").is_none());
    }
}
