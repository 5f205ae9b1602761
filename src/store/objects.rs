//! One storage layer for every data directory: object_store's `LocalFileSystem` for a folder
//! and its S3 client for `s3://bucket/prefix`, under one root key. Snapshots, shards, the
//! trail lake and its checkpoint are found, read and written through [`DataStore`] the same
//! way whatever the data directory is.
//!
//! One publishing rule holds for both: readers trust only what has its manifest (a
//! snapshot, a shard) or its checkpoint (the lake), and those are written last, each in one
//! atomic step (a rename on this machine, one PUT on S3).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};

use super::data_dir::{DataDir, S3Dir};
use super::snapshot::MANIFEST_FILE;
use super::{io_err, StoreError};

/// An opened data directory.
#[derive(Clone)]
pub struct DataStore {
    store: Arc<dyn ObjectStore>,
    /// The key of the data directory's root in `store`.
    root: ObjectPath,
    data_dir: DataDir,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// `root` is the folder, absolute: where renames land and what DataFusion reads; `fs`
    /// is `store` as itself, to map keys to files.
    Local {
        root: PathBuf,
        fs: Arc<LocalFileSystem>,
    },
    S3 {
        bucket: String,
    },
}

impl std::fmt::Debug for DataStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataStore({})", self.data_dir)
    }
}

impl DataStore {
    /// Opens `data_dir`: a folder need not exist yet (it reads as empty), an S3 location
    /// needs credentials from the standard AWS chain.
    pub async fn open(data_dir: &DataDir) -> Result<Self, StoreError> {
        match data_dir {
            DataDir::Local(path) => Self::local(path),
            DataDir::S3(dir) => Ok(Self {
                store: open_s3(dir).await?,
                root: ObjectPath::from(dir.prefix.as_str()),
                data_dir: data_dir.clone(),
                backend: Backend::S3 {
                    bucket: dir.bucket.clone(),
                },
            }),
        }
    }

    /// A folder on this machine as a data directory.
    pub fn local(path: &Path) -> Result<Self, StoreError> {
        let absolute = absolute_normalized(path).map_err(io_err(path))?;
        let root = ObjectPath::from_absolute_path(&absolute)
            .map_err(|e| StoreError::Remote(format!("{}: {e}", path.display())))?;
        let local_fs = Arc::new(LocalFileSystem::new());
        Ok(Self {
            store: local_fs.clone(),
            root,
            data_dir: DataDir::Local(path.to_path_buf()),
            backend: Backend::Local {
                root: absolute,
                fs: local_fs,
            },
        })
    }

    /// The object store, for DataFusion to read S3 locations through; None for a local
    /// folder, which DataFusion reads on its own.
    pub fn s3_object_store(&self) -> Option<(url::Url, Arc<dyn ObjectStore>)> {
        match &self.data_dir {
            DataDir::S3(dir) => Some((dir.bucket_url(), self.store.clone())),
            DataDir::Local(_) => None,
        }
    }

    /// The key of `relative` (`snapshots/x/manifest.json`).
    pub fn key(&self, relative: &str) -> ObjectPath {
        relative
            .split('/')
            .filter(|part| !part.is_empty())
            .fold(self.root.clone(), |key, part| key.join(part))
    }

    /// Where `relative` is, as people read it: a path, or an `s3://` URL.
    pub fn display(&self, relative: &str) -> String {
        match &self.data_dir {
            DataDir::Local(path) if relative.is_empty() => path.display().to_string(),
            DataDir::Local(path) => path.join(relative).display().to_string(),
            DataDir::S3(_) => self.location(relative),
        }
    }

    /// `relative` as DataFusion takes a table location: a path or an `s3://` URL; a folder
    /// is given with its trailing slash.
    pub fn location(&self, relative: &str) -> String {
        let slash = if relative.ends_with('/') { "/" } else { "" };
        match &self.backend {
            Backend::Local { root, .. } => format!(
                "{}{slash}",
                root.join(relative.trim_end_matches('/')).display()
            ),
            Backend::S3 { bucket } => format!("s3://{bucket}/{}{slash}", self.key(relative)),
        }
    }

    fn object_err(&self, relative: &str) -> impl FnOnce(object_store::Error) -> StoreError + '_ {
        let shown = self.display(relative);
        move |e| StoreError::Remote(format!("{shown}: {e}"))
    }

    /// The bytes of `relative`; None when there is no such object.
    pub async fn get(&self, relative: &str) -> Result<Option<Bytes>, StoreError> {
        match self.store.get(&self.key(relative)).await {
            Ok(found) => Ok(Some(
                found.bytes().await.map_err(self.object_err(relative))?,
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.object_err(relative)(e)),
        }
    }

    /// The bytes at `key` (as listed).
    pub async fn get_key(&self, key: &ObjectPath) -> Result<Bytes, StoreError> {
        let shown = self.display_key(key);
        let err = |e: object_store::Error| StoreError::Remote(format!("{shown}: {e}"));
        self.store
            .get(key)
            .await
            .map_err(err)?
            .bytes()
            .await
            .map_err(err)
    }

    /// Writes `relative` whole or not at all: a flushed temporary file renamed into place on
    /// this machine, one PUT on S3.
    pub async fn put(&self, relative: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local { root, .. } => {
                let path = root.join(relative);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io_err(parent))?;
                }
                super::atomic_write(&path, &bytes)
            }
            Backend::S3 { .. } => {
                self.store
                    .put(&self.key(relative), bytes.into())
                    .await
                    .map_err(self.object_err(relative))?;
                super::crash::wrote(Path::new(relative));
                Ok(())
            }
        }
    }

    /// Writes `relative` only if nothing is there yet, whole or not at all; false when
    /// something was (a lock someone holds). A hard link of a flushed temporary file on this
    /// machine (it fails on an existing name), a conditional PUT (If-None-Match) on S3.
    pub async fn create_new(&self, relative: &str, bytes: Vec<u8>) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Local { root, .. } => {
                let path = root.join(relative);
                let dir = path.parent().unwrap_or(root);
                std::fs::create_dir_all(dir).map_err(io_err(dir))?;
                let mut staged = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
                std::io::Write::write_all(&mut staged, &bytes)
                    .and_then(|()| staged.as_file().sync_all())
                    .map_err(io_err(staged.path()))?;
                match std::fs::hard_link(staged.path(), &path) {
                    Ok(()) => {
                        super::crash::wrote(&path);
                        Ok(true)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                    Err(e) => Err(io_err(&path)(e)),
                }
            }
            Backend::S3 { .. } => {
                let options = object_store::PutOptions {
                    mode: object_store::PutMode::Create,
                    ..Default::default()
                };
                match self
                    .store
                    .put_opts(&self.key(relative), bytes.into(), options)
                    .await
                {
                    Ok(_) => {
                        super::crash::wrote(Path::new(relative));
                        Ok(true)
                    }
                    Err(object_store::Error::AlreadyExists { .. })
                    | Err(object_store::Error::Precondition { .. }) => Ok(false),
                    Err(e) => Err(self.object_err(relative)(e)),
                }
            }
        }
    }

    /// Deletes the object `relative`; one that is not there is no error.
    pub async fn delete(&self, relative: &str) -> Result<(), StoreError> {
        match self.store.delete(&self.key(relative)).await {
            Ok(()) => {
                super::crash::wrote(Path::new(relative));
                Ok(())
            }
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.object_err(relative)(e)),
        }
    }

    /// Whether the object `relative` exists.
    pub async fn exists(&self, relative: &str) -> bool {
        self.store.head(&self.key(relative)).await.is_ok()
    }

    /// Whether anything is stored below the folder `relative`.
    pub async fn any_under(&self, relative: &str) -> bool {
        use futures::StreamExt;
        let prefix = self.key(relative);
        self.store.list(Some(&prefix)).next().await.is_some()
    }

    /// Every key below the folder `relative`, sorted.
    pub async fn list(&self, relative: &str) -> Result<Vec<ObjectPath>, StoreError> {
        use futures::TryStreamExt;
        let mut keys: Vec<ObjectPath> = match self
            .store
            .list(Some(&self.key(relative)))
            .map_ok(|m| m.location)
            .try_collect()
            .await
        {
            Ok(keys) => keys,
            // A local folder that is not there holds nothing.
            Err(object_store::Error::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(self.object_err(relative)(e)),
        };
        keys.sort();
        Ok(keys)
    }

    /// The names of the folders directly below `relative`, sorted.
    pub async fn children(&self, relative: &str) -> Result<Vec<String>, StoreError> {
        let listing = match self
            .store
            .list_with_delimiter(Some(&self.key(relative)))
            .await
        {
            Ok(listing) => listing,
            Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(self.object_err(relative)(e)),
        };
        let mut names: Vec<String> = listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    }

    /// `key` relative to the data directory, as a `/`-separated path.
    pub fn relative_of(&self, key: &ObjectPath) -> Option<Vec<String>> {
        key.prefix_match(&self.root)
            .map(|parts| parts.map(|p| p.as_ref().to_owned()).collect())
    }

    /// Where the listed `key` is, as people read it.
    pub fn display_key(&self, key: &ObjectPath) -> String {
        match self.relative_of(key) {
            Some(parts) => self.display(&parts.join("/")),
            None => key.to_string(),
        }
    }

    /// Deletes everything below the folder `relative`.
    pub async fn delete_under(&self, relative: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local { root, .. } => {
                let path = root.join(relative);
                match std::fs::remove_dir_all(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&path)(e)),
                    _ => {
                        super::crash::wrote(&path);
                        Ok(())
                    }
                }
            }
            Backend::S3 { .. } => {
                for key in self.list(relative).await? {
                    let shown = self.display_key(&key);
                    self.store
                        .delete(&key)
                        .await
                        .map_err(|e| StoreError::Remote(format!("{shown}: {e}")))?;
                    super::crash::wrote(Path::new(&shown));
                }
                Ok(())
            }
        }
    }

    /// Publishes the folder `staged` (a snapshot or a shard, with its manifest) as
    /// `relative`: one rename on this machine (`staged` is in the data directory), or every
    /// file uploaded with the manifest last on S3, so that everything the manifest names is
    /// there before it.
    pub async fn publish_folder(&self, staged: &Path, relative: &str) -> Result<(), StoreError> {
        self.publish_folder_ending_with(staged, relative, MANIFEST_FILE)
            .await
    }

    /// [`Self::publish_folder`] for a folder whose file `last` (an audit's summary) is what
    /// readers trust: on S3 it is uploaded after everything else.
    pub async fn publish_folder_ending_with(
        &self,
        staged: &Path,
        relative: &str,
        last: &str,
    ) -> Result<(), StoreError> {
        if let Backend::Local { root, .. } = &self.backend {
            return rename_into(staged, &root.join(relative));
        }
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(staged)
            .into_iter()
            .map(|entry| {
                entry.map_err(|e| StoreError::Io {
                    path: e.path().unwrap_or(staged).to_path_buf(),
                    source: e.into(),
                })
            })
            .filter_map(|entry| match entry {
                Ok(entry) if entry.file_type().is_file() => Some(Ok(entry.into_path())),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<_, _>>()?;
        // `last` sorts last; everything else in a stable order.
        files.sort_by_key(|p| (p.file_name().is_some_and(|n| n == last), p.clone()));
        for path in files {
            let inside = relative_key(&path, staged);
            let bytes = std::fs::read(&path).map_err(io_err(&path))?;
            self.put(&format!("{relative}/{inside}"), bytes).await?;
        }
        Ok(())
    }

    /// Publishes one staged file as `relative`: a rename on this machine, one PUT on S3.
    pub async fn publish_file(&self, staged: &Path, relative: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local { root, .. } => rename_into(staged, &root.join(relative)),
            Backend::S3 { .. } => {
                let bytes = std::fs::read(staged).map_err(io_err(staged))?;
                self.put(relative, bytes).await
            }
        }
    }

    /// Brings the object at `key` to the local file `to` and leaves it where it is (until its
    /// folder is deleted): hard-linked on this machine (no copy; a copy where the two cannot
    /// share a file), downloaded from S3. Leaving the source whole is what lets a run cut off
    /// half-way start again from the same objects.
    pub async fn link_out(&self, key: &ObjectPath, to: &Path) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local { fs, .. } => {
                let from = fs
                    .path_to_filesystem(key)
                    .map_err(|e| StoreError::Remote(format!("{key}: {e}")))?;
                if std::fs::hard_link(&from, to).is_err() {
                    std::fs::copy(&from, to).map_err(io_err(&from))?;
                }
                super::crash::wrote(to);
                Ok(())
            }
            Backend::S3 { .. } => {
                let bytes = self.get_key(key).await?;
                super::atomic_write(to, &bytes)
            }
        }
    }

    /// Copies every object below the folder `relative` into `local`, keeping the layout;
    /// the number of files.
    pub async fn download_folder(&self, relative: &str, local: &Path) -> Result<usize, StoreError> {
        let prefix = self.key(relative);
        let keys = self.list(relative).await?;
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
                return Err(StoreError::Remote(format!(
                    "{}: not a plain key",
                    self.display_key(key)
                )));
            }
            let path = inside
                .iter()
                .fold(local.to_path_buf(), |p, part| p.join(part));
            let parent = path.parent().expect("below local");
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            let bytes = self.get_key(key).await?;
            super::atomic_write(&path, &bytes)?;
        }
        Ok(keys.len())
    }

    /// A folder for work on its way into this data directory: inside it for a local one
    /// (so that publishing is a rename on the same file system), in the system's temporary
    /// folder for S3. Removed when dropped.
    pub fn staging(&self, what: &str) -> Result<tempfile::TempDir, StoreError> {
        let prefix = format!(".staging-{what}-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        match &self.backend {
            Backend::Local { root, .. } => {
                std::fs::create_dir_all(root).map_err(io_err(root))?;
                builder.tempdir_in(root).map_err(io_err(root))
            }
            Backend::S3 { .. } => {
                let tmp = std::env::temp_dir();
                builder.tempdir_in(&tmp).map_err(io_err(&tmp))
            }
        }
    }
}

/// Moves `staged` to `target` on this machine, creating `target`'s folder.
fn rename_into(staged: &Path, target: &Path) -> Result<(), StoreError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    std::fs::rename(staged, target).map_err(io_err(target))?;
    super::crash::wrote(target);
    Ok(())
}

/// `path` below `base` as a `/`-separated relative key (`snapshots/<id>`).
pub fn relative_key(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .expect("found below base")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` made absolute, with `.` and `..` resolved by name (the folder may not exist yet,
/// so the file system cannot resolve them).
fn absolute_normalized(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

/// An S3 client for the bucket: credentials and region from the standard AWS chain (env,
/// profile, SSO, instance role), the endpoint the data directory carries
/// (`--endpoint-url`), else the environment's.
async fn open_s3(dir: &S3Dir) -> Result<Arc<dyn ObjectStore>, StoreError> {
    use aws_credential_types::provider::ProvideCredentials;
    let remote_err = StoreError::Remote;
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
                .unwrap_or_else(|| crate::aws::DEFAULT_REGION.into()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_folder_is_read_and_written_through_keys() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("sub/../data");
        let store = DataStore::local(&data).unwrap();
        // Not there yet: empty, not an error.
        assert!(store.children("snapshots").await.unwrap().is_empty());
        assert!(store.list("trail").await.unwrap().is_empty());
        assert_eq!(store.get("trail/checkpoint.json").await.unwrap(), None);
        store
            .put("snapshots/a/manifest.json", b"{}".to_vec())
            .await
            .unwrap();
        store
            .put("snapshots/b/t/part-0.parquet", b"x".to_vec())
            .await
            .unwrap();
        assert!(dir.path().join("data/snapshots/a/manifest.json").is_file());
        assert_eq!(store.children("snapshots").await.unwrap(), ["a", "b"]);
        assert!(store.exists("snapshots/a/manifest.json").await);
        assert!(!store.exists("snapshots/b/manifest.json").await);
        assert!(store.any_under("snapshots/b").await);
        assert_eq!(
            store.location("snapshots/b/t/"),
            format!("{}/snapshots/b/t/", dir.path().join("data").display())
        );
        store.delete_under("snapshots/b").await.unwrap();
        assert!(!store.any_under("snapshots/b").await);
    }

    #[tokio::test]
    async fn staging_publishes_by_rename_inside_a_local_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = DataStore::local(dir.path()).unwrap();
        let staging = store.staging("collect").unwrap();
        assert!(staging.path().starts_with(dir.path()));
        std::fs::write(staging.path().join(MANIFEST_FILE), b"{}").unwrap();
        let staged = staging.path().to_path_buf();
        store.publish_folder(&staged, "snapshots/x").await.unwrap();
        assert!(dir.path().join("snapshots/x").join(MANIFEST_FILE).is_file());
        // Dropping the staging folder after its contents moved away is harmless.
        drop(staging);
        assert!(dir.path().join("snapshots/x").join(MANIFEST_FILE).is_file());
    }
}
