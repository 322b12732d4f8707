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
    /// Every function (all pages).
    pub async fn list_functions(&self) -> Result<Vec<Function>, SourceError> {
        dispatch!(self, s => s.list_functions().await)
    }
    /// Full configuration of one function (GetFunction).
    pub async fn function(&self, name: &str) -> Result<Function, SourceError> {
        dispatch!(self, s => s.function(name).await)
    }
    pub async fn metrics(&self, req: &MetricRequest) -> Result<Vec<MetricSeries>, SourceError> {
        dispatch!(self, s => s.metrics(req).await)
    }
    /// Several requests over one window, answered in order. The AWS backend shares
    /// GetMetricData calls between them where it can.
    pub async fn metric_sets(
        &self,
        reqs: &[MetricRequest],
    ) -> Result<Vec<Vec<MetricSeries>>, SourceError> {
        futures::future::try_join_all(reqs.iter().map(|r| self.metrics(r))).await
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
    pub async fn trace_summaries(
        &self,
        query: &TraceQuery,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        dispatch!(self, s => s.trace_summaries(query).await)
    }
    /// Whole traces by id (any number; the AWS backend batches 5 a call).
    pub async fn traces(&self, ids: &[String]) -> Result<Vec<Trace>, SourceError> {
        dispatch!(self, s => s.traces(ids).await)
    }
    pub async fn service_graph(&self, window: TimeWindow) -> Result<ServiceGraph, SourceError> {
        dispatch!(self, s => s.service_graph(window).await)
    }
}
