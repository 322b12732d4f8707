//! CloudWatch: DescribeAlarms, every page, metric and composite alarms.
//!
//! Without `AlarmTypes` DescribeAlarms returns metric alarms only, so both types are asked for.
//! (Composites are also silently missing when the caller's `cloudwatch:DescribeAlarms` is not
//! scoped to `*`: nothing here can tell.) Every field may be missing; none panics.

use aws_sdk_cloudwatch::types::{
    AlarmType, CompositeAlarm, MetricAlarm, MetricDataQuery, StateValue,
};
use aws_smithy_types::DateTime;

use super::{Api, AwsSource, next_page};
use crate::domain::{Alarm, AlarmKind, AlarmState, EpochMs, SourceError, Watched};

/// DescribeAlarms' largest page.
const PAGE_SIZE: i32 = 100;
/// A guard against a service that keeps handing back tokens: 10,000 alarms.
const MAX_PAGES: usize = 100;

impl AwsSource {
    /// Every metric and composite alarm in the region.
    pub async fn alarms(&self) -> Result<Vec<Alarm>, SourceError> {
        let cloudwatch = &self.clients().cloudwatch;
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .call(Api::DescribeAlarms, || {
                    cloudwatch
                        .describe_alarms()
                        .alarm_types(AlarmType::MetricAlarm)
                        .alarm_types(AlarmType::CompositeAlarm)
                        .max_records(PAGE_SIZE)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            out.extend(page.metric_alarms().iter().map(metric_alarm));
            out.extend(page.composite_alarms().iter().map(composite_alarm));
            if !next_page(&mut token, page.next_token()) {
                break;
            }
        }
        Ok(out)
    }
}

fn millis(t: Option<&DateTime>) -> Option<EpochMs> {
    t.and_then(|t| t.to_millis().ok())
}

/// The last change of state; the last update of any kind when AWS leaves that out.
fn since(transitioned: Option<&DateTime>, updated: Option<&DateTime>) -> Option<EpochMs> {
    millis(transitioned).or_else(|| millis(updated))
}

fn count(n: Option<i32>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

fn metric_alarm(a: &MetricAlarm) -> Alarm {
    // A metric-math alarm names no metric: the query that returns data says what is watched,
    // and the metrics it reads say on what.
    let returned: Option<&MetricDataQuery> = a
        .metrics()
        .iter()
        .find(|q| q.return_data() == Some(true))
        .or_else(|| a.metrics().first());
    let stat_metric = returned
        .and_then(|q| q.metric_stat())
        .and_then(|s| s.metric())
        .or_else(|| {
            a.metrics()
                .iter()
                .find_map(|q| q.metric_stat().and_then(|s| s.metric()))
        });
    let dims: Vec<(String, String)> = if a.dimensions().is_empty() {
        stat_metric.map_or(&[][..], |m| m.dimensions())
    } else {
        a.dimensions()
    }
    .iter()
    .map(|d| {
        (
            d.name().unwrap_or_default().to_string(),
            d.value().unwrap_or_default().to_string(),
        )
    })
    .collect();
    let namespace = a
        .namespace()
        .or_else(|| stat_metric.and_then(|m| m.namespace()))
        .map(str::to_string);
    let statistic = a
        .statistic()
        .map(|s| s.as_str().to_string())
        .or_else(|| a.extended_statistic().map(str::to_string));
    let expression = if a.metric_name().is_none() {
        returned.and_then(|q| {
            q.expression()
                .or_else(|| q.label())
                .or_else(|| stat_metric.and_then(|m| m.metric_name()))
                .map(str::to_string)
        })
    } else {
        None
    };
    let period = a
        .period()
        .or_else(|| {
            returned
                .and_then(|q| q.metric_stat())
                .and_then(|s| s.period())
        })
        .or_else(|| returned.and_then(|q| q.period()))
        .or_else(|| {
            a.metrics()
                .iter()
                .find_map(|q| q.metric_stat().and_then(|s| s.period()))
        });
    Alarm {
        metric: a.metric_name().map(str::to_string),
        watched: Watched::from_dimensions(namespace.as_deref(), &dims),
        namespace,
        statistic,
        dimensions: dims,
        expression,
        threshold: a.threshold(),
        comparison: a.comparison_operator().map(|c| c.as_str().to_string()),
        period_s: count(period),
        evaluation_periods: count(a.evaluation_periods()),
        datapoints_to_alarm: count(a.datapoints_to_alarm()),
        ..head(
            a.alarm_name(),
            AlarmKind::Metric,
            a.state_value(),
            a.state_reason(),
            since(
                a.state_transitioned_timestamp(),
                a.state_updated_timestamp(),
            ),
        )
    }
}

fn composite_alarm(a: &CompositeAlarm) -> Alarm {
    Alarm {
        rule: Some(a.alarm_rule().unwrap_or("(no rule)").to_string()),
        ..head(
            a.alarm_name(),
            AlarmKind::Composite,
            a.state_value(),
            a.state_reason(),
            since(
                a.state_transitioned_timestamp(),
                a.state_updated_timestamp(),
            ),
        )
    }
}

/// What every kind of alarm has: a name, a state since when, and why. A state this build does
/// not know is kept as AWS spelt it.
fn head(
    name: Option<&str>,
    kind: AlarmKind,
    state: Option<&StateValue>,
    reason: Option<&str>,
    state_since: Option<EpochMs>,
) -> Alarm {
    Alarm {
        name: name.unwrap_or("(unnamed alarm)").to_string(),
        kind,
        state: state.map_or(AlarmState::Other("?".into()), |s| {
            AlarmState::parse(s.as_str())
        }),
        state_since,
        reason: reason.unwrap_or_default().to_string(),
        ..Alarm::default()
    }
}
