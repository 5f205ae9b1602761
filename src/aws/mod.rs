//! AWS access for every part of govscan that talks to AWS (the collectors, the trail's S3 and
//! LookupEvents sources, the S3 data directory): configuration through the standard
//! credential chain, clients that count their API calls, credential sessions per account,
//! turning SDK errors into recorded facts, and the SigV4-signed calls made without an SDK
//! crate ([`signed`]).

pub mod cloudfront;
pub mod ec2;
pub mod elbv2;
pub mod rds;
pub mod signed;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Utc};

/// Where the CLI's AWS flags end up.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Region for global services and for the first calls; the profile's, else us-east-1.
    pub region: Option<String>,
    pub max_attempts: Option<u32>,
}

pub const DEFAULT_REGION: &str = "us-east-1";

/// The SDK's configuration loader with govscan's HTTPS client: hyper with rustls on the
/// ring crypto provider (the SDK's default features would compile aws-lc, see Cargo.toml).
/// Every SDK configuration govscan makes starts here, or it would have no HTTP client.
pub fn sdk_defaults() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest()).http_client(https)
}

/// Loads the standard credential chain (profile, SSO, env, instance role) with adaptive
/// retries, so throttled calls back off instead of failing.
pub async fn load_sdk_config(opts: &AwsOptions) -> SdkConfig {
    let mut loader = sdk_defaults().retry_config(
        RetryConfig::adaptive()
            .with_max_attempts(opts.max_attempts.unwrap_or(5))
            .with_initial_backoff(Duration::from_millis(200)),
    );
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(region) = &opts.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return config
            .into_builder()
            .region(Region::from_static(DEFAULT_REGION))
            .build();
    }
    config
}

/// Counts every HTTP attempt, retries included (what AWS bills and throttles on), and the
/// attempts that were answered with success, which tell a part that read something from
/// one that read nothing.
#[derive(Debug, Clone, Default)]
pub struct ApiCallCounter {
    attempts: Arc<AtomicU64>,
    successes: Arc<AtomicU64>,
}

impl ApiCallCounter {
    pub fn get(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }

    pub fn successes(&self) -> u64 {
        self.successes.load(Ordering::Relaxed)
    }

    /// For calls made outside the SDK (collect::signed), which no interceptor sees.
    pub fn record_attempt(&self) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_success(&self) {
        self.successes.fetch_add(1, Ordering::Relaxed);
    }
}

impl Intercept for ApiCallCounter {
    fn name(&self) -> &'static str {
        "ApiCallCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.response().status().is_success() {
            self.successes.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Builds a service client from a config, with the call counter attached.
macro_rules! client {
    ($sdk:expr, $counter:expr, $krate:ident) => {
        $krate::Client::from_conf(
            $krate::config::Builder::from($sdk)
                .interceptor($counter.clone())
                .build(),
        )
    };
}
pub(crate) use client;

/// What a failed AWS call left behind: enough to say what was not assessed and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
}

const MAX_MESSAGE: usize = 1000;

pub(crate) fn truncate_message(mut s: String) -> String {
    if s.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

pub fn error_info<E>(err: &SdkError<E, HttpResponse>) -> ErrorInfo
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (code, message) = match err {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            match (ctx.err().code(), ctx.err().message()) {
                (Some(code), message) => (code.to_owned(), message.unwrap_or_default().to_owned()),
                // A success status whose body did not parse: the endpoint answered in a shape
                // the SDK does not know (seen with emulators), so nothing was read.
                (None, _) if (200..300).contains(&status) => (
                    "UnparseableResponse".to_owned(),
                    format!("HTTP {status} but the response body could not be parsed"),
                ),
                (None, _) => (
                    format!("HTTP{status}"),
                    format!("HTTP {status} without an AWS error code"),
                ),
            }
        }
        SdkError::ResponseError(ctx) => {
            // Bodies of failed responses (HTML error pages, say) stay out of the message.
            let status = ctx.raw().status().as_u16();
            (
                format!("HTTP{status}"),
                format!("HTTP {status} with a response that is not an AWS error"),
            )
        }
        SdkError::TimeoutError(_) => ("Timeout".to_owned(), error_chain(err)),
        SdkError::DispatchFailure(_) => ("DispatchFailure".to_owned(), error_chain(err)),
        _ => ("ConstructionFailure".to_owned(), error_chain(err)),
    };
    ErrorInfo {
        code,
        message: truncate_message(message),
    }
}

/// The Display texts of an error and its sources, joined: readable, unlike the Debug dump
/// that SDK errors carry, and free of request bodies and headers.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The AWS error code of a failed call, if the service sent one.
pub fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(ctx) => ctx.err().code(),
        _ => None,
    }
}

pub fn to_utc(t: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos()).unwrap_or_default()
}

pub fn opt_utc(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.map(to_utc)
}

/// IAM returns policy documents URL-encoded; the snapshot stores them as plain JSON.
/// A document that already starts as JSON is left alone, so a literal `%` in it survives.
pub fn decode_policy(doc: &str) -> String {
    let trimmed = doc.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return doc.to_owned();
    }
    percent_encoding::percent_decode_str(doc)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_policies_are_decoded_and_plain_ones_kept_byte_for_byte() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%7D";
        assert_eq!(decode_policy(encoded), r#"{"Version":"2012-10-17"}"#);
        let plain = r#"{"Condition":{"StringLike":{"s3:prefix":"100%25"}}}"#;
        assert_eq!(decode_policy(plain), plain);
    }

    #[test]
    fn long_error_messages_are_cut_on_a_char_boundary() {
        let s = "é".repeat(800);
        let t = truncate_message(s);
        assert!(t.len() <= MAX_MESSAGE + '…'.len_utf8());
        assert!(t.ends_with('…'));
    }
}
