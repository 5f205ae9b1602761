//! The data directory: where snapshots, shards and the trail lake live. `--data-dir` is
//! parsed into a [`DataDir`] once, by clap; everything below the command line takes the
//! parsed value and never looks at the text again.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use object_store::path::Path as ObjectPath;

/// `--data-dir` when it is not given.
pub const DEFAULT_DATA_DIR: &str = "./govscan-data";

/// A folder on this machine, or `s3://bucket/prefix` with the endpoint its object store
/// talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDir {
    Local(PathBuf),
    S3(S3Dir),
}

impl Default for DataDir {
    fn default() -> Self {
        DataDir::Local(PathBuf::from(DEFAULT_DATA_DIR))
    }
}

impl FromStr for DataDir {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text.starts_with("s3://") {
            return S3Dir::parse(text)
                .map(DataDir::S3)
                .ok_or_else(|| format!("{text:?}: expected s3://BUCKET or s3://BUCKET/PREFIX"));
        }
        if text.is_empty() {
            return Err("the data directory is empty: give a folder or s3://BUCKET/PREFIX".into());
        }
        Ok(DataDir::Local(PathBuf::from(text)))
    }
}

impl fmt::Display for DataDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataDir::Local(path) => write!(f, "{}", path.display()),
            DataDir::S3(dir) if dir.prefix.is_empty() => write!(f, "s3://{}", dir.bucket),
            DataDir::S3(dir) => write!(f, "s3://{}/{}", dir.bucket, dir.prefix),
        }
    }
}

impl DataDir {
    /// The data directory with the S3 endpoint that `--endpoint-url` names (moto,
    /// localstack, a VPC endpoint); a local folder is unchanged. Without one, the object
    /// store takes AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL as the SDK does.
    pub fn with_endpoint(self, endpoint: Option<&str>) -> Self {
        match self {
            DataDir::S3(dir) => DataDir::S3(S3Dir {
                endpoint: endpoint.map(str::to_owned).or(dir.endpoint),
                ..dir
            }),
            local => local,
        }
    }

    pub fn is_s3(&self) -> bool {
        matches!(self, DataDir::S3(_))
    }
}

/// `s3://bucket/rest` → (bucket, rest as written: a key prefix, maybe empty); None for
/// anything else. The one reading of an S3 URL: data directories and trail sources alike.
pub fn split_s3_url(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then_some((bucket, prefix))
}

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

impl S3Dir {
    /// `text` as an S3 location, when it is one.
    pub(super) fn parse(text: &str) -> Option<S3Dir> {
        let (bucket, prefix) = split_s3_url(text)?;
        Some(S3Dir {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_s3_locations_parse_once() {
        assert_eq!(
            "./govscan-data".parse::<DataDir>(),
            Ok(DataDir::Local("./govscan-data".into()))
        );
        let DataDir::S3(dir) = "s3://sec-lake/govscan/prod/".parse::<DataDir>().unwrap() else {
            panic!("an S3 data directory")
        };
        assert_eq!(
            (dir.bucket.as_str(), dir.prefix.as_str()),
            ("sec-lake", "govscan/prod")
        );
        assert!("s3://"
            .parse::<DataDir>()
            .unwrap_err()
            .contains("s3://BUCKET"));
        assert!("".parse::<DataDir>().is_err());
    }

    #[test]
    fn the_endpoint_flag_applies_to_s3_only_and_wins_over_none() {
        let s3 = "s3://b/p".parse::<DataDir>().unwrap();
        let DataDir::S3(dir) = s3.clone().with_endpoint(Some("http://127.0.0.1:5000")) else {
            unreachable!()
        };
        assert_eq!(dir.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        let DataDir::S3(dir) = s3.clone().with_endpoint(None) else {
            unreachable!()
        };
        assert_eq!(dir.endpoint, None);
        let local = "data".parse::<DataDir>().unwrap();
        assert_eq!(local.clone().with_endpoint(Some("http://x")), local);
        assert_eq!(local.to_string(), "data");
        assert_eq!(s3.to_string(), "s3://b/p");
    }

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
