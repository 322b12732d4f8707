//! Where data comes from. Domain types are ours, not the SDK's, so the UI never sees an AWS crate
//! and the demo account and the AWS backend answer the same contract.
//!
//! [`Source`] is an enum rather than a trait object: two implementations, no boxing, and `match`
//! keeps the dispatch obvious. Every method is a read.

#[cfg(feature = "aws")]
pub mod aws;
pub mod demo;

use std::pin::Pin;

use futures::Stream;

use crate::domain::*;

/// A scan of trace summaries stops after this many pages, whatever the source says.
pub const MAX_SCAN_PAGES: usize = 2_000;

/// What a tail delivers, until it is dropped.
pub type TailStream = Pin<Box<dyn Stream<Item = TailUpdate> + Send>>;

/// What a Logs Insights query delivers: progress, then its rows, or a failure. Dropping it
/// stops the query.
pub type InsightsStream = Pin<Box<dyn Stream<Item = Result<InsightsUpdate, SourceError>> + Send>>;

// ---------------------------------------------------------------------------------------------
// The seam

/// The one seam between the console and its data.
#[derive(Clone)]
pub enum Source {
    Demo(demo::DemoSource),
    #[cfg(feature = "aws")]
    Aws(aws::AwsSource),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Source::Demo($s) => $e,
            #[cfg(feature = "aws")]
            Source::Aws($s) => $e,
        }
    };
}

impl Source {
    pub fn info(&self) -> SourceInfo {
        dispatch!(self, s => s.info())
    }
    /// The source's clock: real time, or the demo's fixed clock in tests.
    pub fn now(&self) -> EpochMs {
        dispatch!(self, s => s.now())
    }
    pub fn health(&self) -> SourceHealth {
        dispatch!(self, s => s.health())
    }
    /// Waits, at most `within`, for the clean-up calls still under way (StopQuery for a Logs
    /// Insights query the console dropped), so that quitting leaves nothing scanning.
    pub async fn settle(&self, within: std::time::Duration) {
        #[cfg(not(feature = "aws"))]
        let _ = within;
        match self {
            Source::Demo(_) => {}
            #[cfg(feature = "aws")]
            Source::Aws(s) => s.settle(within).await,
        }
    }
    /// A fault the demo account was told to inject (tests of the console's robustness).
    pub fn fault(&self) -> Option<demo::Fault> {
        match self {
            Source::Demo(d) => d.fault(),
            #[cfg(feature = "aws")]
            Source::Aws(_) => None,
        }
    }
    /// Every function (all pages).
    pub async fn list_functions(&self) -> Result<Vec<Function>, SourceError> {
        dispatch!(self, s => s.list_functions().await)
    }
    /// Full configuration of one function: GetFunction, its versions (deploys), event source
    /// mappings and provisioned concurrency.
    pub async fn function(&self, name: &str) -> Result<Function, SourceError> {
        dispatch!(self, s => s.function(name).await)
    }
    pub async fn metrics(&self, req: &MetricRequest) -> Result<Vec<MetricSeries>, SourceError> {
        dispatch!(self, s => s.metrics(req).await)
    }
    /// A function's cold starts over a window, each one where the source can list them.
    pub async fn cold_starts(&self, q: &ColdStartQuery) -> Result<ColdStartData, SourceError> {
        dispatch!(self, s => s.cold_starts(q).await)
    }
    /// The account's Lambda limits (GetAccountSettings).
    pub async fn account_settings(&self) -> Result<AccountSettings, SourceError> {
        dispatch!(self, s => s.account_settings().await)
    }
    /// Every CloudWatch alarm in the region, metric and composite (DescribeAlarms, all pages).
    pub async fn alarms(&self) -> Result<Vec<Alarm>, SourceError> {
        dispatch!(self, s => s.alarms().await)
    }
    /// Several requests over one window, answered in order. The AWS backend shares
    /// GetMetricData calls between them where it can.
    pub async fn metric_sets(
        &self,
        reqs: &[MetricRequest],
    ) -> Result<Vec<Vec<MetricSeries>>, SourceError> {
        dispatch!(self, s => s.metric_sets(reqs).await)
    }
    /// One page of matching events.
    pub async fn logs(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        dispatch!(self, s => s.logs(query).await)
    }
    /// One log stream in time order, a page at a time (an execution environment's whole story).
    pub async fn stream_events(&self, query: &StreamQuery) -> Result<LogPage, SourceError> {
        dispatch!(self, s => s.stream_events(query).await)
    }
    /// Follow groups; the stream never ends on its own and survives outages.
    pub async fn tail(&self, req: &TailRequest) -> Result<TailStream, SourceError> {
        dispatch!(self, s => s.tail(req).await)
    }
    /// Runs a Logs Insights query, reporting progress; the stream ends after the rows.
    pub async fn insights(&self, query: &InsightsQuery) -> Result<InsightsStream, SourceError> {
        dispatch!(self, s => s.insights_stream(query).await)
    }
    /// One page of a scan of trace summaries, from `cursor` (the start of the scan by default).
    /// Spans of the window are scanned newest first; a page never mixes two spans.
    pub async fn trace_page(
        &self,
        query: &TraceQuery,
        cursor: &TraceCursor,
    ) -> Result<TracePage, SourceError> {
        dispatch!(self, s => s.trace_page(query, cursor).await)
    }
    /// The newest `query.limit` summaries in the window, newest first: pages until the limit is
    /// reached or the window scanned, then sorts (pages are not in time order) and truncates.
    pub async fn trace_summaries(
        &self,
        query: &TraceQuery,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        let mut out = Vec::new();
        let mut cursor = TraceCursor::default();
        for _ in 0..MAX_SCAN_PAGES {
            let page = self.trace_page(query, &cursor).await?;
            out.extend(page.summaries);
            match page.next {
                Some(next) if out.len() < query.limit && next != cursor => cursor = next,
                _ => break,
            }
        }
        newest_first(&mut out, query.limit);
        Ok(out)
    }
    /// Whole traces by id (any number; the AWS backend batches 5 a call).
    pub async fn traces(&self, ids: &[String]) -> Result<Vec<Trace>, SourceError> {
        dispatch!(self, s => s.traces(ids).await)
    }
    pub async fn service_graph(&self, window: TimeWindow) -> Result<ServiceGraph, SourceError> {
        dispatch!(self, s => s.service_graph(window).await)
    }
}
