//! The CloudTrail LookupEvents API (management events of the last 90 days) into the lake.
//!
//! LookupEvents allows 2 requests per second per account and region: each region's pages are
//! paced to that, and regions are read concurrently. A region that fails is reported and
//! the others go on.

use std::time::Duration;

use super::parse::one_by_one;
use super::writer::LakeWriter;
use super::{IngestError, IngestOptions, IngestSummary};
use aws_config::Region;
use aws_sdk_cloudtrail as ct;
use chrono::{DateTime, Utc};

/// The API's documented limit is 2 requests per second per region.
const PAGE_INTERVAL: Duration = Duration::from_millis(500);

/// One region's events (CloudTrail record JSON), or why it failed.
async fn region_events(
    sdk: &aws_config::SdkConfig,
    region: &str,
    start: DateTime<Utc>,
) -> Result<Vec<String>, String> {
    let conf = ct::config::Builder::from(sdk)
        .region(Region::new(region.to_owned()))
        .build();
    let client = ct::Client::from_conf(conf);
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let started = tokio::time::Instant::now();
        let out = client
            .lookup_events()
            .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
            .max_results(50)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| {
                let info = crate::aws::error_info(&e);
                format!("LookupEvents: {}: {}", info.code, info.message)
            })?;
        for e in out.events.unwrap_or_default() {
            events.extend(e.cloud_trail_event);
        }
        token = out.next_token;
        if token.is_none() {
            return Ok(events);
        }
        tokio::time::sleep_until(started + PAGE_INTERVAL).await;
    }
}

/// Reads LookupEvents in `regions` since `start` into the lake.
pub async fn lookup(
    opts: &IngestOptions,
    regions: &[String],
    start: DateTime<Utc>,
) -> Result<IngestSummary, IngestError> {
    let sdk = crate::aws::load_sdk_config(&opts.aws).await;
    let per_region =
        futures::future::join_all(regions.iter().map(|r| region_events(&sdk, r, start))).await;
    let mut writer = LakeWriter::open(&opts.data_dir).await?;
    let mut summary = IngestSummary::default();
    for (region, result) in regions.iter().zip(per_region) {
        let events = match result {
            Ok(events) => events,
            Err(reason) => {
                summary
                    .rejected_files
                    .push((format!("lookup:{region}"), reason));
                continue;
            }
        };
        let source = format!("lookup:{region}");
        let texts = events.iter().map(String::as_str);
        let schema = writer.schema.clone();
        let (parsed, _) = one_by_one(texts, &source, &schema, "CloudTrailEvent is not JSON: ");
        writer
            .take_parsed(opts, &source, parsed, &mut summary)
            .await?;
    }
    writer.publish().await?;
    Ok(summary)
}
