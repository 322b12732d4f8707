//! The real AWS backend: aws-config's credential chain and the four SDK clients, behind one
//! request budget per account+region.
//!
//! Module map:
//! - [`api`]: the operations we call, their IAM actions and quotas;
//! - [`budget`]: token buckets and adaptive backoff (pure, fake-clock tested);
//! - [`cost`]: the cost meter and the default refresh policy's price;
//! - [`errors`]: SDK errors → [`SourceError`], and what is worth a retry;
//! - `functions`, `metrics`, `logs`, `tail`, `insights`, `traces`: one file per data kind;
//! - `cold_starts`: ColdStarts / InitDuration from REPORT lines via Logs Insights.
//!
//! Read-only by construction: every SDK call goes through [`AwsSource::call`] with an [`Api`],
//! and a test scans this folder for the operations it calls.

mod alarms;
pub mod api;
pub mod budget;
mod cold_starts;
pub mod cost;
pub mod errors;
mod functions;
mod insights;
mod logs;
mod metrics;
mod tail;
mod traces;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Instant;

use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_sdk_cloudwatchlogs::config::ProvideCredentials;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub use api::{Api, IAM_ACTIONS};
pub use budget::RetryPolicy;
pub use logs::LogLimits;

use self::budget::{Budget, Jitter};
use self::cost::CostMeter;
use self::errors::{ErrorContext, Failure};
use crate::domain::*;

/// Where and as whom to connect; from the CLI flags and `:profile` / `:region`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// The longest one call may take, retries included (default: [`RetryPolicy`]'s 30 s).
    pub timeout: Option<std::time::Duration>,
}

/// The four SDK clients. Public so tests can hand in mocked clients.
#[derive(Clone, Debug)]
pub struct AwsClients {
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub xray: aws_sdk_xray::Client,
}

/// Budget, jitter and cost for one account+region, shared by every clone and every screen.
#[derive(Debug)]
struct Meter {
    origin: Instant,
    budget: Budget,
    cost: CostMeter,
    jitter: Jitter,
    /// Calls go out without waiting for the budget (a simulated shift; see `unbudgeted`).
    unbudgeted: bool,
}

impl Meter {
    fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64);
        Self {
            origin: Instant::now(),
            budget: Budget::new(),
            cost: CostMeter::default(),
            jitter: Jitter::new(seed),
            unbudgeted: false,
        }
    }
    fn now(&self) -> budget::Millis {
        self.origin.elapsed().as_millis() as u64
    }
}

#[derive(Debug)]
struct Shared {
    clients: AwsClients,
    profile: Option<String>,
    region: String,
    endpoint: Option<String>,
    /// From the credentials when they say (SSO, assume-role, AWS_ACCOUNT_ID…), else learnt
    /// from the first function ARN; never from an STS call.
    account: OnceLock<String>,
    meter: Arc<Mutex<Meter>>,
    policy: RetryPolicy,
    log_limits: LogLimits,
    ctx: ErrorContext,
    /// Log group name → ARN, for Live Tail.
    group_arns: Mutex<HashMap<String, String>>,
    /// Why the endpoint refused percentile statistics, once it has: they are not asked for
    /// again this session.
    percentiles_refused: OnceLock<String>,
    /// Function name → log group, as ListFunctions and GetFunction last said (account-wide
    /// cold-start counts read every function's group).
    log_groups: Mutex<HashMap<String, String>>,
    /// `--timeout`, as given.
    timeout: Option<std::time::Duration>,
    /// StopQuery calls under way (see [`AwsSource::settle`]).
    stops: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// The AWS backend. Cheap to clone; clones share clients, budget and cost meter.
#[derive(Clone, Debug)]
pub struct AwsSource {
    shared: Arc<Shared>,
}

/// One meter per profile+region+endpoint for the whole process, so two screens (or a reconnect)
/// never get two budgets for the same account.
fn shared_meter(key: String) -> Arc<Mutex<Meter>> {
    static METERS: OnceLock<Mutex<HashMap<String, Weak<Mutex<Meter>>>>> = OnceLock::new();
    let mut map = METERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(m) = map.get(&key).and_then(Weak::upgrade) {
        return m;
    }
    let m = Arc::new(Mutex::new(Meter::new()));
    map.insert(key, Arc::downgrade(&m));
    m
}

/// Moves a pagination token to the service's next one. False when there is no next page, or
/// when the service hands back the token it was given (which would loop forever).
fn next_page(token: &mut Option<String>, next: Option<&str>) -> bool {
    match next.filter(|t| !t.is_empty()) {
        Some(t) if token.as_deref() != Some(t) => {
            *token = Some(t.to_string());
            true
        }
        _ => false,
    }
}

/// True for endpoints on this machine (`http://127.0.0.1:5000`, `http://localhost:4566`).
fn is_local(endpoint: &str) -> bool {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let host = if rest.starts_with('[') {
        rest.split(']')
            .next()
            .map(|h| h.trim_start_matches('['))
            .unwrap_or_default()
    } else {
        rest.split([':', '/']).next().unwrap_or_default()
    };
    matches!(host, "localhost" | "127.0.0.1" | "::1") || host.ends_with(".localhost")
}

/// `eu-west-1`, `us-gov-east-1`, `ap-southeast-5`: letters, dashes, a trailing number.
fn plausible_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

impl AwsSource {
    /// Resolves region and credentials through aws-config's normal chain (env, profiles, SSO,
    /// assume-role, web identity, container and instance metadata), eagerly, so the UI can report
    /// a credentials problem before the first screen.
    pub async fn connect(opts: &AwsOptions) -> Result<AwsSource, SourceError> {
        Self::connect_with(opts, aws_config::defaults(BehaviorVersion::latest())).await
    }

    /// [`connect`](Self::connect) with a prepared loader (tests point it at profile files).
    pub async fn connect_with(
        opts: &AwsOptions,
        mut loader: ConfigLoader,
    ) -> Result<AwsSource, SourceError> {
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            if !plausible_region(r) {
                return Err(SourceError::UnknownRegion(r.clone()));
            }
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let conf = loader.load().await;
        let Some(region) = conf.region().map(|r| r.to_string()) else {
            return Err(SourceError::Other(
                "no AWS region configured; pass --region, set AWS_REGION, or add `region` to the profile".into(),
            ));
        };
        if !plausible_region(&region) {
            return Err(SourceError::UnknownRegion(region));
        }
        let profile = opts
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok());
        let ctx = ErrorContext {
            endpoint: String::new(),
            profile: profile.clone(),
        };
        // The credentials often say whose they are (SSO, assume-role, AWS_ACCOUNT_ID,
        // aws_account_id in the profile, instance and container roles): then the header names
        // the account before the first call, with no STS call for it.
        let resolved = match conf.credentials_provider() {
            Some(creds) => creds
                .provide_credentials()
                .await
                .map(|c| c.account_id().map(|a| a.as_str().to_string()))
                .map_err(|e| {
                    let text =
                        aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
                    errors::credential_problem(&text, &ctx)
                }),
            None => Err(None),
        };
        let account = resolved.as_ref().ok().cloned().flatten();
        let mut conf = conf;
        if let Err(problem) = resolved {
            let endpoint = opts.endpoint_url.as_deref().or(conf.endpoint_url());
            let expired = matches!(problem, Some(SourceError::SsoExpired { .. }));
            if expired || !endpoint.is_some_and(is_local) {
                return Err(problem.unwrap_or_else(|| SourceError::NoCredentials {
                    tried: errors::CREDENTIAL_SOURCES.into(),
                }));
            }
            // A local emulator (moto, LocalStack) accepts any keys; do not make people invent some.
            tracing::info!("no AWS credentials found; using test keys for the local endpoint");
            let keys = aws_sdk_cloudwatchlogs::config::Credentials::new(
                "test",
                "test",
                None,
                None,
                "lambdascope-local-endpoint",
            );
            conf = conf
                .into_builder()
                .credentials_provider(
                    aws_sdk_cloudwatchlogs::config::SharedCredentialsProvider::new(keys),
                )
                .build();
        }
        let opts = AwsOptions {
            profile,
            ..opts.clone()
        };
        let source = Self::from_sdk_config(&conf, &opts);
        if let Some(account) = account.filter(|a| !a.is_empty()) {
            let _ = source.shared.account.set(account);
        }
        Ok(source)
    }

    /// Builds the clients from a loaded config. Retries are ours (budget-aware), not the SDK's.
    pub fn from_sdk_config(conf: &SdkConfig, opts: &AwsOptions) -> AwsSource {
        use aws_smithy_types::retry::RetryConfig;
        let endpoint = opts
            .endpoint_url
            .clone()
            .or_else(|| conf.endpoint_url().map(str::to_string));
        let custom_logs_endpoint = endpoint.is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL").is_some();
        let lambda_conf = aws_sdk_lambda::config::Builder::from(conf)
            .retry_config(RetryConfig::disabled())
            .build();
        let cloudwatch_conf = aws_sdk_cloudwatch::config::Builder::from(conf)
            .retry_config(RetryConfig::disabled())
            .build();
        let mut logs_conf = aws_sdk_cloudwatchlogs::config::Builder::from(conf)
            .retry_config(RetryConfig::disabled());
        if custom_logs_endpoint {
            logs_conf = logs_conf.interceptor(tail::StripStreamHostPrefix);
        }
        let xray_conf = aws_sdk_xray::config::Builder::from(conf)
            .retry_config(RetryConfig::disabled())
            .build();
        let clients = AwsClients {
            lambda: aws_sdk_lambda::Client::from_conf(lambda_conf),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch_conf),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(logs_conf.build()),
            xray: aws_sdk_xray::Client::from_conf(xray_conf),
        };
        let region = conf
            .region()
            .map_or_else(|| "us-east-1".to_string(), |r| r.to_string());
        let profile = opts.profile.clone();
        let key = format!(
            "{}|{region}|{}",
            profile.as_deref().unwrap_or(""),
            endpoint.as_deref().unwrap_or("")
        );
        let policy = opts
            .timeout
            .map_or_else(RetryPolicy::default, RetryPolicy::with_deadline);
        let mut source = Self::assemble(
            clients,
            profile,
            region,
            endpoint,
            shared_meter(key),
            policy,
        );
        if let Some(shared) = Arc::get_mut(&mut source.shared) {
            shared.timeout = opts.timeout;
        }
        source
    }

    /// What this source was connected with, to connect again elsewhere (`:region`, `:profile`).
    pub fn options(&self) -> AwsOptions {
        let s = &self.shared;
        AwsOptions {
            profile: s.profile.clone(),
            region: Some(s.region.clone()),
            endpoint_url: s.endpoint.clone(),
            timeout: s.timeout,
        }
    }

    /// Wraps ready-made clients (mocked ones in tests) with a fresh budget of their own.
    pub fn from_clients(clients: AwsClients, region: &str, policy: RetryPolicy) -> AwsSource {
        let meter = Arc::new(Mutex::new(Meter::new()));
        Self::assemble(clients, None, region.to_string(), None, meter, policy)
    }

    /// Calls stop waiting for the request budget; the meter still counts and prices each one.
    /// For tests/cost.rs, which makes a shift's calls in seconds.
    pub fn unbudgeted(self) -> AwsSource {
        self.with_meter(|m| m.unbudgeted = true);
        self
    }

    /// The same source with another retry policy (tests shrink the backoff).
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> AwsSource {
        let s = &self.shared;
        let mut out = Self::assemble(
            s.clients.clone(),
            s.profile.clone(),
            s.region.clone(),
            s.endpoint.clone(),
            s.meter.clone(),
            policy,
        );
        out = out.with_log_limits(s.log_limits);
        out
    }

    /// The same source with other read bounds (tests shrink them to reach the edges).
    pub fn with_log_limits(&self, limits: LogLimits) -> AwsSource {
        let s = &self.shared;
        let shared = Shared {
            clients: s.clients.clone(),
            profile: s.profile.clone(),
            region: s.region.clone(),
            endpoint: s.endpoint.clone(),
            account: OnceLock::new(),
            meter: s.meter.clone(),
            policy: s.policy,
            log_limits: limits,
            ctx: s.ctx.clone(),
            group_arns: Mutex::new(HashMap::new()),
            percentiles_refused: OnceLock::new(),
            log_groups: Mutex::new(HashMap::new()),
            timeout: s.timeout,
            stops: Mutex::new(Vec::new()),
        };
        AwsSource {
            shared: Arc::new(shared),
        }
    }

    fn log_limits(&self) -> LogLimits {
        self.shared.log_limits
    }

    fn assemble(
        clients: AwsClients,
        profile: Option<String>,
        region: String,
        endpoint: Option<String>,
        meter: Arc<Mutex<Meter>>,
        policy: RetryPolicy,
    ) -> AwsSource {
        let ctx = ErrorContext {
            endpoint: endpoint.clone().unwrap_or_else(|| format!("AWS {region}")),
            profile: profile.clone(),
        };
        let shared = Shared {
            clients,
            profile,
            region,
            endpoint,
            account: OnceLock::new(),
            meter,
            policy,
            log_limits: LogLimits::default(),
            ctx,
            group_arns: Mutex::new(HashMap::new()),
            percentiles_refused: OnceLock::new(),
            log_groups: Mutex::new(HashMap::new()),
            timeout: None,
            stops: Mutex::new(Vec::new()),
        };
        AwsSource {
            shared: Arc::new(shared),
        }
    }

    pub fn info(&self) -> SourceInfo {
        let s = &self.shared;
        SourceInfo::Aws {
            account: s.account.get().cloned(),
            profile: s.profile.clone(),
            region: s.region.clone(),
            endpoint: s.endpoint.clone(),
        }
    }

    pub fn now(&self) -> EpochMs {
        chrono::Utc::now().timestamp_millis()
    }

    pub fn health(&self) -> SourceHealth {
        self.with_meter(|m| {
            let now = m.now();
            SourceHealth {
                throttled: m.budget.throttled_status(now),
                calls: m.cost.total_calls(),
                estimated_usd: m.cost.estimated_usd(),
                usage: m.cost.usage(),
            }
        })
    }

    /// Keeps a clean-up call (StopQuery) to wait for when quitting.
    fn note_stop(&self, stop: tokio::task::JoinHandle<()>) {
        let mut stops = self.shared.stops.lock().unwrap_or_else(|p| p.into_inner());
        stops.retain(|s| !s.is_finished());
        stops.push(stop);
    }

    /// Waits, at most `within`, for the StopQuery calls of queries dropped so far, including
    /// those of jobs aborted just now (their futures are dropped at their next poll).
    pub async fn settle(&self, within: std::time::Duration) {
        let deadline = tokio::time::Instant::now() + within;
        // Let aborted jobs be dropped, which starts their StopQuery.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        loop {
            let pending: Vec<_> = {
                let mut stops = self.shared.stops.lock().unwrap_or_else(|p| p.into_inner());
                stops.drain(..).collect()
            };
            if pending.is_empty() {
                return;
            }
            let all = futures::future::join_all(pending);
            if tokio::time::timeout_at(deadline, all).await.is_err() {
                tracing::warn!("quitting before every Logs Insights query was stopped");
                return;
            }
        }
    }

    fn clients(&self) -> &AwsClients {
        &self.shared.clients
    }

    fn with_meter<T>(&self, f: impl FnOnce(&mut Meter) -> T) -> T {
        // A panic elsewhere must not take the budget down with it.
        let mut m = self.shared.meter.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut m)
    }

    /// Adds billed units (metrics requested, session-minutes, …) to the cost meter.
    fn bill(&self, api: Api, units: f64) {
        self.with_meter(|m| m.cost.units(api, units));
    }

    /// Waits for a token of `api`'s bucket.
    async fn acquire(&self, api: Api) {
        loop {
            let wait = self.with_meter(|m| {
                let now = m.now();
                if m.unbudgeted {
                    return Ok(());
                }
                m.budget.try_acquire(api, now)
            });
            match wait {
                Ok(()) => return,
                Err(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// Every SDK call goes through here: budget, cost, retries with backoff, deadlines, error
    /// mapping. Throttles and transient failures are retried a bounded number of times, and no
    /// retry starts past the policy's deadline; a transient failure of a call that is not
    /// [idempotent](Api::idempotent) is not retried.
    async fn call<T, E, Fut>(
        &self,
        api: Api,
        mut send: impl FnMut() -> Fut,
    ) -> Result<T, SourceError>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let policy = self.shared.policy;
        let started = Instant::now();
        let (mut throttles, mut transients) = (0u32, 0u32);
        loop {
            self.acquire(api).await;
            self.with_meter(|m| m.cost.call(api));
            let failure = match tokio::time::timeout(policy.attempt_timeout, send()).await {
                Ok(Ok(v)) => {
                    self.with_meter(|m| {
                        let now = m.now();
                        m.budget.on_success(api, now)
                    });
                    return Ok(v);
                }
                Ok(Err(e)) => errors::classify(api, &e, &self.shared.ctx),
                Err(_) => Failure::Transient(self.timed_out(api, policy.attempt_timeout)),
            };
            match failure {
                Failure::Throttled { hint } => {
                    throttles += 1;
                    let wait = self.with_meter(|m| {
                        let (now, draw) = (m.now(), m.jitter.draw());
                        m.budget.on_throttle(api, now, &policy, hint, draw)
                    });
                    tracing::debug!(api = api.name(), ?wait, "throttled");
                    if throttles >= policy.throttle_attempts || started.elapsed() >= policy.deadline
                    {
                        return Err(SourceError::Throttled {
                            api: api.name().into(),
                            tries: throttles,
                        });
                    }
                    // `acquire` waits out the pause the budget just set.
                }
                Failure::Transient(e) => {
                    transients += 1;
                    let draw = self.with_meter(|m| m.jitter.draw());
                    let pause = policy.backoff(transients - 1, draw);
                    let late = started.elapsed() + pause >= policy.deadline;
                    if transients >= policy.transient_attempts || late || !api.idempotent() {
                        return Err(match e {
                            // Say how long the whole call waited, not one attempt.
                            SourceError::TimedOut { .. } => self.timed_out(api, started.elapsed()),
                            e => e,
                        });
                    }
                    tokio::time::sleep(pause).await;
                }
                Failure::Fatal(e) => return Err(e),
            }
        }
    }

    fn timed_out(&self, api: Api, after: std::time::Duration) -> SourceError {
        SourceError::TimedOut {
            what: api.name().into(),
            endpoint: self.shared.ctx.endpoint.clone(),
            after,
        }
    }

    /// Remembers where functions log.
    fn note_log_groups<'a>(&self, fs: impl IntoIterator<Item = &'a Function>) {
        let mut map = self
            .shared
            .log_groups
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for f in fs {
            map.insert(f.name.clone(), f.log_group.clone());
        }
    }

    /// Where a function logs, as last seen, else its default group.
    fn log_group_of(&self, name: &str) -> String {
        self.shared
            .log_groups
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
            .unwrap_or_else(|| Function::default_log_group(name))
    }

    fn note_account_from_arn(&self, arn: &str) {
        // arn:aws:lambda:<region>:<account>:function:<name>
        if let Some(account) = arn.split(':').nth(4).filter(|a| !a.is_empty()) {
            let _ = self.shared.account.set(account.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_stops_on_missing_empty_or_repeated_tokens() {
        let mut t = None;
        assert!(next_page(&mut t, Some("a")));
        assert_eq!(t.as_deref(), Some("a"));
        assert!(!next_page(&mut t, Some("a")));
        assert!(!next_page(&mut t, Some("")));
        assert!(!next_page(&mut t, None));
    }

    #[test]
    fn local_endpoints() {
        for local in [
            "http://127.0.0.1:5000",
            "http://localhost:4566/",
            "http://[::1]:5000",
            "localhost",
        ] {
            assert!(is_local(local), "{local}");
        }
        for remote in [
            "https://logs.eu-west-1.amazonaws.com",
            "http://127.0.0.2:1",
            "http://localhost.evil.com",
        ] {
            assert!(!is_local(remote), "{remote}");
        }
    }

    #[test]
    fn region_shapes() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-5",
        ] {
            assert!(plausible_region(ok), "{ok}");
        }
        for bad in ["", "moon", "us-east", "US-EAST-1", "us-east-123", "eu--1"] {
            assert!(!plausible_region(bad), "{bad}");
        }
    }

    /// Whether an SDK operation is a read: `filter_log_events` starts with a verb of
    /// [`api::READ_VERBS`].
    fn is_read(op: &str) -> bool {
        Api::is_read_name(&camel(op))
    }

    /// `filter_log_events` → `FilterLogEvents`.
    fn camel(op: &str) -> String {
        op.split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect()
    }

    #[test]
    fn writes_are_not_reads() {
        for op in [
            "put_log_events",
            "delete_function",
            "update_function_configuration",
            "put_metric_data",
            "invoke",
        ] {
            assert!(!is_read(op), "{op}");
        }
        // Built at run time so that the scan of this very file does not see a write.
        let write = format!("c.{}.put_log_events().send()", "logs");
        assert_eq!(sdk_operations(&write), ["put_log_events"]);
    }

    /// SDK client handles are always named after their service (`lambda`, `cloudwatch`, `logs`,
    /// `xray`), as variables or as fields of [`AwsClients`]; this finds `<client>.<operation>(`.
    fn sdk_operations(text: &str) -> Vec<String> {
        const NOT_OPERATIONS: &[&str] = &["clone", "config"];
        let bytes = text.as_bytes();
        let mut ops = Vec::new();
        for client in ["lambda", "cloudwatch", "logs", "xray"] {
            for (at, _) in text.match_indices(client) {
                let before = at.checked_sub(1).map(|i| bytes[i]);
                if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                    continue;
                }
                let rest = text[at + client.len()..].trim_start();
                let Some(rest) = rest.strip_prefix('.') else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty()
                    && rest[name.len()..].starts_with('(')
                    && !NOT_OPERATIONS.contains(&name.as_str())
                {
                    ops.push(name);
                }
            }
        }
        ops
    }

    #[test]
    fn scanner_finds_operations_in_any_layout() {
        let src = "let logs = &c.logs;\n logs\n   .filter_log_events()\n; self.clients().lambda.get_function().x(); logs.clone(); aws_sdk_lambda::x(); my_logs.put_x()";
        assert_eq!(sdk_operations(src), ["get_function", "filter_log_events"]);
    }

    /// Read-only, proven: every SDK operation this backend calls is a read, and the operations
    /// and [`IAM_ACTIONS`] match one to one.
    #[test]
    fn backend_calls_only_read_operations() {
        let mut ops = std::collections::BTreeSet::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/source/aws"
        ))];
        // src/source/aws/**/*.rs
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read a source dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read source file");
                    ops.extend(sdk_operations(&text));
                }
            }
        }
        assert!(ops.len() >= 10, "scanner found too few operations: {ops:?}");
        for op in &ops {
            assert!(is_read(op), "{op} is not a read operation");
        }
        let as_actions: std::collections::BTreeSet<String> =
            ops.iter().map(|op| camel(op)).collect();
        let listed: std::collections::BTreeSet<String> = IAM_ACTIONS
            .iter()
            .map(|a| a.split(':').nth(1).unwrap_or("").to_string())
            .collect();
        assert_eq!(as_actions, listed, "operations called vs IAM_ACTIONS");
    }
}
