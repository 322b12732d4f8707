//! Lambda: ListFunctions (every page) and GetFunction.

use aws_sdk_lambda::types::{
    FunctionConfiguration, LogFormat as SdkLogFormat, SnapStartApplyOn, TracingMode as SdkTracing,
};

use super::{Api, AwsSource, next_page};
use crate::domain::{
    AccountSettings, Deploy, EpochMs, EventSource, Function, LogFormat, Provisioned, SourceError,
    TracingMode,
};

/// ListFunctions returns at most 50 per page whatever we ask.
const PAGE_SIZE: i32 = 50;
/// A guard against a service that keeps handing back the same marker.
const MAX_PAGES: usize = 2_000;
/// Event source mappings: 20 pages of 50 is more than any function needs.
const MAX_MAPPING_PAGES: usize = 20;
/// Versions come oldest first, so every page is read up to this guard (2,500 versions): the
/// newest deploy is on the last page.
const MAX_VERSION_PAGES: usize = 50;
/// Deploys kept for the charts' markers: the newest ones.
const MAX_DEPLOYS: usize = 100;

impl AwsSource {
    /// Every function in the region, all pages (Marker / NextMarker).
    pub async fn list_functions(&self) -> Result<Vec<Function>, SourceError> {
        let lambda = &self.clients().lambda;
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .call(Api::ListFunctions, || {
                    lambda
                        .list_functions()
                        .set_marker(marker.clone())
                        .max_items(PAGE_SIZE)
                        .send()
                })
                .await?;
            out.extend(page.functions().iter().filter_map(to_function));
            if !next_page(&mut marker, page.next_marker()) {
                break;
            }
        }
        if let Some(f) = out.first() {
            self.note_account_from_arn(&f.arn);
        }
        self.note_log_groups(&out);
        Ok(out)
    }

    /// One function's full configuration: GetFunction (reserved concurrency, state, layers,
    /// variable names), then at once its versions (deploys), event source mappings and
    /// provisioned concurrency. Those three only add detail: when one fails, the rest is shown
    /// and `detail_errors` says what is missing and why.
    pub async fn function(&self, name: &str) -> Result<Function, SourceError> {
        let mut f = self.get_function(name).await?;
        let (deploys, sources, provisioned) = futures::join!(
            self.deploys(name),
            self.event_sources(name),
            self.provisioned(name),
        );
        match deploys {
            Ok(d) => f.deploys = d,
            Err(e) => f.detail_errors.push(format!("deploys: {e}")),
        }
        match sources {
            Ok(s) => f.event_sources = Some(s),
            Err(e) => f.detail_errors.push(format!("event sources: {e}")),
        }
        match provisioned {
            Ok(p) => f.provisioned = Some(p),
            Err(e) => f
                .detail_errors
                .push(format!("provisioned concurrency: {e}")),
        }
        Ok(f)
    }

    /// GetFunction alone: the configuration, reserved concurrency and state.
    pub(super) async fn get_function(&self, name: &str) -> Result<Function, SourceError> {
        let lambda = &self.clients().lambda;
        let out = self
            .call(Api::GetFunction, || {
                lambda.get_function().function_name(name).send()
            })
            .await
            .map_err(|e| match e {
                SourceError::NotFound(_) => SourceError::NotFound(format!("function {name}")),
                other => other,
            })?;
        let mut f = out
            .configuration()
            .and_then(to_function)
            .ok_or_else(|| SourceError::NotFound(format!("function {name}")))?;
        f.reserved_concurrency = out
            .concurrency()
            .and_then(|c| c.reserved_concurrent_executions())
            .and_then(|n| u32::try_from(n).ok());
        self.note_account_from_arn(&f.arn);
        self.note_log_groups([&f]);
        Ok(f)
    }

    /// Published versions, oldest first (each was a deploy), at most the newest
    /// [`MAX_DEPLOYS`]. `$LATEST` is left out: its change is the function's `last_modified`.
    async fn deploys(&self, name: &str) -> Result<Vec<Deploy>, SourceError> {
        let lambda = &self.clients().lambda;
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for pages in 1.. {
            let page = self
                .call(Api::ListVersionsByFunction, || {
                    lambda
                        .list_versions_by_function()
                        .function_name(name)
                        .set_marker(marker.clone())
                        .max_items(PAGE_SIZE)
                        .send()
                })
                .await?;
            out.extend(page.versions().iter().filter_map(|v| {
                let version = v.version().filter(|v| *v != "$LATEST")?;
                let at = v.last_modified().map_or(0, parse_last_modified);
                (at > 0).then(|| Deploy {
                    at,
                    version: version.to_string(),
                })
            }));
            if !next_page(&mut marker, page.next_marker()) {
                break;
            }
            if pages == MAX_VERSION_PAGES {
                tracing::warn!(
                    function = name,
                    pages,
                    "ListVersionsByFunction: stopped at the page limit; the newest versions are not read"
                );
                break;
            }
        }
        out.sort_by_key(|d| d.at);
        let keep = out.len().saturating_sub(MAX_DEPLOYS);
        Ok(out.split_off(keep))
    }

    /// The queues and streams Lambda polls for it.
    async fn event_sources(&self, name: &str) -> Result<Vec<EventSource>, SourceError> {
        let lambda = &self.clients().lambda;
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_MAPPING_PAGES {
            let page = self
                .call(Api::ListEventSourceMappings, || {
                    lambda
                        .list_event_source_mappings()
                        .function_name(name)
                        .set_marker(marker.clone())
                        .send()
                })
                .await?;
            out.extend(page.event_source_mappings().iter().map(|m| {
                EventSource {
                    arn: m
                        .event_source_arn()
                        .unwrap_or("(no source ARN)")
                        .to_string(),
                    state: m.state().unwrap_or("unknown").to_string(),
                    batch_size: m.batch_size().and_then(|b| u32::try_from(b).ok()),
                }
            }));
            if !next_page(&mut marker, page.next_marker()) {
                break;
            }
        }
        Ok(out)
    }

    /// Provisioned concurrency on each alias or version.
    async fn provisioned(&self, name: &str) -> Result<Vec<Provisioned>, SourceError> {
        let lambda = &self.clients().lambda;
        let page = self
            .call(Api::ListProvisionedConcurrencyConfigs, || {
                lambda
                    .list_provisioned_concurrency_configs()
                    .function_name(name)
                    .send()
            })
            .await?;
        let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        Ok(page
            .provisioned_concurrency_configs()
            .iter()
            .map(|p| Provisioned {
                // arn:aws:lambda:region:account:function:name:QUALIFIER
                qualifier: p
                    .function_arn()
                    .and_then(|a| a.rsplit(':').next())
                    .unwrap_or("?")
                    .to_string(),
                requested: count(p.requested_provisioned_concurrent_executions()),
                allocated: count(p.allocated_provisioned_concurrent_executions()),
                status: p.status().map_or("unknown", |s| s.as_str()).to_string(),
            })
            .collect())
    }

    /// The account's Lambda limits and usage in this region.
    pub async fn account_settings(&self) -> Result<AccountSettings, SourceError> {
        let lambda = &self.clients().lambda;
        let out = self
            .call(Api::GetAccountSettings, || {
                lambda.get_account_settings().send()
            })
            .await?;
        let limit = out.account_limit();
        let usage = out.account_usage();
        Ok(AccountSettings {
            concurrency_limit: limit.and_then(|l| u32::try_from(l.concurrent_executions()).ok()),
            unreserved_concurrency: limit
                .and_then(|l| l.unreserved_concurrent_executions())
                .and_then(|n| u32::try_from(n).ok()),
            function_count: usage.and_then(|u| u64::try_from(u.function_count()).ok()),
            code_size: usage.and_then(|u| u64::try_from(u.total_code_size()).ok()),
            code_size_limit: limit.and_then(|l| u64::try_from(l.total_code_size()).ok()),
        })
    }
}

/// Maps the SDK's configuration to ours; `None` only when there is no name.
fn to_function(c: &FunctionConfiguration) -> Option<Function> {
    let name = c.function_name()?.to_string();
    let logging = c.logging_config();
    let log_group = logging
        .and_then(|l| l.log_group())
        .filter(|g| !g.is_empty())
        .map_or_else(|| Function::default_log_group(&name), str::to_string);
    let log_format = match logging.and_then(|l| l.log_format()) {
        Some(SdkLogFormat::Json) => LogFormat::Json,
        _ => LogFormat::Text,
    };
    let tracing = match c.tracing_config().and_then(|t| t.mode()) {
        Some(SdkTracing::Active) => TracingMode::Active,
        _ => TracingMode::PassThrough,
    };
    Some(Function {
        arn: c.function_arn().unwrap_or_default().to_string(),
        runtime: c.runtime().map(|r| r.as_str().to_string()),
        handler: c.handler().map(str::to_string),
        memory_mb: c
            .memory_size()
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(128),
        timeout_s: c.timeout().and_then(|t| u32::try_from(t).ok()).unwrap_or(3),
        last_modified: c.last_modified().map_or(0, parse_last_modified),
        architecture: c
            .architectures()
            .first()
            .map_or("x86_64", |a| a.as_str())
            .to_string(),
        code_size: u64::try_from(c.code_size()).unwrap_or(0),
        description: c.description().unwrap_or_default().to_string(),
        log_group,
        log_format,
        tracing,
        reserved_concurrency: None,
        trigger: None,
        state: c.state().map(|s| s.as_str().to_string()),
        snap_start: c.snap_start().and_then(|s| s.apply_on())
            == Some(&SnapStartApplyOn::PublishedVersions),
        layers: c
            .layers()
            .iter()
            .filter_map(|l| l.arn().map(str::to_string))
            .collect(),
        // Names only: the values are secrets as often as not, and are never kept.
        env_vars: {
            let mut names: Vec<String> = c
                .environment()
                .and_then(|e| e.variables())
                .map(|v| v.keys().cloned().collect())
                .unwrap_or_default();
            names.sort();
            names
        },
        name,
        ..Default::default()
    })
}

/// `2019-08-14T22:26:11.234+0000` (AWS) or `2026-11-22T12:50:39.645131000Z` (moto); 0 when
/// neither parses: a bad date must not hide a function.
pub(crate) fn parse_last_modified(s: &str) -> EpochMs {
    use chrono::DateTime;
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map_or(0, |d| d.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_lambda::types::{LoggingConfig, Runtime, TracingConfigResponse};

    #[test]
    fn last_modified_in_both_spellings() {
        assert_eq!(
            parse_last_modified("2019-08-14T22:26:11.234+0000"),
            1_565_821_571_234
        );
        assert_eq!(
            parse_last_modified("2026-11-22T12:50:39.645131000Z"),
            1_795_351_839_645
        );
        assert_eq!(parse_last_modified("yesterday"), 0);
        assert_eq!(parse_last_modified(""), 0);
    }

    #[test]
    fn maps_logging_tracing_and_defaults() {
        let c = FunctionConfiguration::builder()
            .function_name("orders-api")
            .function_arn("arn:aws:lambda:eu-west-1:123456789012:function:orders-api")
            .runtime(Runtime::Python312)
            .memory_size(512)
            .timeout(30)
            .logging_config(
                LoggingConfig::builder()
                    .log_group("/shared/orders")
                    .log_format(SdkLogFormat::Json)
                    .build(),
            )
            .tracing_config(
                TracingConfigResponse::builder()
                    .mode(SdkTracing::Active)
                    .build(),
            )
            .build();
        let f = to_function(&c).unwrap();
        assert_eq!(f.log_group, "/shared/orders");
        assert_eq!(f.log_format, LogFormat::Json);
        assert_eq!(f.tracing, TracingMode::Active);
        assert_eq!(f.runtime.as_deref(), Some("python3.12"));
        assert_eq!((f.memory_mb, f.timeout_s), (512, 30));

        let bare = FunctionConfiguration::builder()
            .function_name("x")
            .memory_size(-5)
            .build();
        let f = to_function(&bare).unwrap();
        assert_eq!(f.log_group, "/aws/lambda/x");
        assert_eq!(
            (f.memory_mb, f.last_modified, f.architecture.as_str()),
            (128, 0, "x86_64")
        );
        assert!(to_function(&FunctionConfiguration::builder().build()).is_none());
    }
}
