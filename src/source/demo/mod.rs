//! The built-in simulated account (filled in by the demo generator).
use super::*;

#[derive(Clone, Debug)]
pub struct DemoSource {
    pub seed: u64,
}

impl DemoSource {
    pub fn info(&self) -> SourceInfo {
        SourceInfo::Demo { seed: self.seed }
    }
    pub fn now(&self) -> EpochMs {
        chrono::Utc::now().timestamp_millis()
    }
    pub fn health(&self) -> SourceHealth {
        SourceHealth::default()
    }
    pub async fn list_functions(&self) -> Result<Vec<Function>, SourceError> {
        Ok(vec![])
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
