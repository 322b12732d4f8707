//! The demo account's CloudWatch alarms, evaluated the way CloudWatch evaluates them over the
//! demo's own metrics, so their states and since-times agree with the charts by construction:
//! orders-api-create's errors go into ALARM a few minutes after its deploy, search-indexer's
//! throttles when the backfill hits its reserved concurrency, the nightly report has no data
//! between its runs, and a composite follows its children. Alarms on what the demo has no
//! metrics for (an SQS dead-letter queue, a DynamoDB table) have been OK since a fixed time.

use super::catalog::{INCIDENT_FUNCTION, THROTTLED_FUNCTION, Trigger};
use super::render::{ACCOUNT, REGION};
use super::traffic::{hash, unit};
use super::{DemoSource, Inner, blocking};
use crate::domain::{
    Alarm, AlarmKind, AlarmState, DAY_MS, EpochMs, HOUR_MS, MINUTE_MS, Metric, MetricPlan,
    MetricQuery, MetricRequest, SourceError, Statistic, TimeWindow, Watched, comparison_symbol,
};

/// How a metric alarm treats a period without data (`TreatMissingData`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// Missing data counts as within the threshold.
    NotBreaching,
    /// Missing data is missing: all of it missing is INSUFFICIENT_DATA.
    Missing,
}

/// What the alarm reads: one function's metric, or the sum over the functions behind the API.
#[derive(Debug, Clone, Copy)]
enum Reads {
    Function(&'static str),
    /// API Gateway's 5XXError: the errors of every function behind the API (it answers 502).
    ApiErrors,
}

/// A metric alarm on the demo's own metrics.
#[derive(Debug, Clone, Copy)]
struct Spec {
    name: &'static str,
    source: Reads,
    metric: Metric,
    stat: Statistic,
    op: &'static str,
    threshold: f64,
    period_s: u32,
    /// M out of N.
    m: usize,
    n: usize,
    missing: Missing,
    /// How far back its history is read (a daily function's alarm needs a day).
    lookback: EpochMs,
}

const GE: &str = "GreaterThanOrEqualToThreshold";
const GT: &str = "GreaterThanThreshold";

const SPECS: &[Spec] = &[
    Spec {
        name: "orders-api-create-errors",
        source: Reads::Function(INCIDENT_FUNCTION),
        metric: Metric::Errors,
        stat: Statistic::Sum,
        op: GE,
        threshold: 5.0,
        period_s: 60,
        m: 2,
        n: 2,
        missing: Missing::NotBreaching,
        lookback: 3 * HOUR_MS,
    },
    Spec {
        name: "shop-api-5xx",
        source: Reads::ApiErrors,
        metric: Metric::Errors,
        stat: Statistic::Sum,
        op: GE,
        threshold: 10.0,
        period_s: 60,
        m: 3,
        n: 3,
        missing: Missing::NotBreaching,
        lookback: 3 * HOUR_MS,
    },
    Spec {
        name: "search-indexer-throttles",
        source: Reads::Function(THROTTLED_FUNCTION),
        metric: Metric::Throttles,
        stat: Statistic::Sum,
        op: GE,
        threshold: 100.0,
        period_s: 60,
        m: 2,
        n: 3,
        missing: Missing::NotBreaching,
        lookback: 3 * HOUR_MS,
    },
    Spec {
        name: "orders-api-create-p99",
        source: Reads::Function(INCIDENT_FUNCTION),
        metric: Metric::Duration,
        stat: Statistic::P99,
        op: GT,
        threshold: 2_000.0,
        period_s: 300,
        m: 3,
        n: 3,
        missing: Missing::NotBreaching,
        lookback: 6 * HOUR_MS,
    },
    Spec {
        name: "payments-webhook-errors",
        source: Reads::Function("payments-webhook"),
        metric: Metric::Errors,
        stat: Statistic::Sum,
        op: GE,
        threshold: 5.0,
        period_s: 60,
        m: 3,
        n: 3,
        missing: Missing::NotBreaching,
        lookback: 3 * HOUR_MS,
    },
    Spec {
        name: "reports-nightly-duration",
        source: Reads::Function("reports-nightly"),
        metric: Metric::Duration,
        stat: Statistic::Max,
        op: GE,
        threshold: 720_000.0,
        period_s: 300,
        m: 1,
        n: 1,
        missing: Missing::Missing,
        lookback: 26 * HOUR_MS,
    },
];

/// The composite: the checkout is degraded while either of its children is in ALARM.
const COMPOSITE: (&str, [&str; 2]) = (
    "checkout-degraded",
    ["orders-api-create-errors", "shop-api-5xx"],
);

/// Alarms on resources the demo keeps no metrics for: OK since a fixed time.
/// (name, namespace, metric, statistic, dimension, value, op, threshold, period)
#[allow(clippy::type_complexity)]
const QUIET: &[(&str, &str, &str, &str, &str, &str, &str, f64, u32)] = &[
    (
        "email-sender-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "Maximum",
        "QueueName",
        "email-sender-dlq",
        GE,
        1.0,
        300,
    ),
    (
        "orders-table-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        "Sum",
        "TableName",
        "orders",
        GT,
        0.0,
        60,
    ),
];

impl DemoSource {
    /// Every alarm of the demo account, evaluated at the demo's clock.
    pub async fn alarms(&self) -> Result<Vec<Alarm>, SourceError> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.alarms())).await
    }
}

/// One evaluation of an alarm: when, the state it gave, and the datapoints it read (newest
/// first, `None` where there was no data).
#[derive(Debug, Clone)]
struct Evaluation {
    at: EpochMs,
    state: AlarmState,
    datapoints: Vec<(EpochMs, Option<f64>)>,
}

impl Inner {
    fn alarms(&self) -> Vec<Alarm> {
        let now = self.clock.now();
        let mut out = Vec::new();
        let mut histories = Vec::new();
        for (i, spec) in SPECS.iter().enumerate() {
            let history = self.evaluate(spec, now);
            out.push(self.metric_alarm(spec, i as u64, &history));
            histories.push((spec.name, history));
        }
        out.push(self.composite(&histories));
        for (i, quiet) in QUIET.iter().enumerate() {
            out.push(self.quiet_alarm(quiet, 100 + i as u64));
        }
        out
    }

    /// When an alarm was created (or last changed, before any history read here): days before
    /// the demo was opened, from the seed.
    fn created(&self, salt: u64) -> EpochMs {
        let days = 3.0 + unit(hash(&[self.model.seed, 0xa1a, salt])) * 20.0;
        let at = self.model.anchor - (days * DAY_MS as f64) as EpochMs;
        at - at.rem_euclid(MINUTE_MS)
    }

    /// The alarm's metric over `window` at its period: one value per period (`None`: no data).
    fn values(
        &self,
        spec: &Spec,
        window: TimeWindow,
        now: EpochMs,
    ) -> (MetricPlan, Vec<Option<f64>>) {
        let names: Vec<String> = match spec.source {
            Reads::Function(f) => vec![f.to_string()],
            Reads::ApiErrors => self
                .model
                .specs
                .iter()
                .filter(|s| s.trigger == Trigger::Api)
                .map(|s| s.name.clone())
                .collect(),
        };
        let req = MetricRequest {
            queries: names
                .iter()
                .map(|f| MetricQuery {
                    function: f.clone(),
                    metric: spec.metric,
                    stat: spec.stat,
                })
                .collect(),
            window,
            period_s: spec.period_s,
        };
        let plan = MetricPlan::new(window, spec.period_s, now);
        let mut values = vec![None; plan.buckets()];
        for series in self.metrics(&req) {
            for p in series.points {
                if let Some(v) = plan.bucket_of(p.t).and_then(|i| values.get_mut(i)) {
                    *v = Some(v.unwrap_or(0.0) + p.v);
                }
            }
        }
        (plan, values)
    }

    /// Every evaluation over the alarm's lookback, oldest first: one at the end of each period,
    /// of the last N periods, as CloudWatch does it.
    fn evaluate(&self, spec: &Spec, now: EpochMs) -> Vec<Evaluation> {
        let start = (now - spec.lookback).min(self.model.anchor - spec.lookback);
        let (plan, values) = self.values(spec, TimeWindow::new(start, now), now);
        let n = spec.n.max(1);
        (n - 1..values.len())
            .map(|last| {
                let datapoints: Vec<(EpochMs, Option<f64>)> = (last + 1 - n..=last)
                    .rev()
                    .map(|i| (plan.bucket_start(i), values[i]))
                    .collect();
                Evaluation {
                    at: plan.bucket_start(last) + plan.period_ms(),
                    state: state_of(spec, &datapoints),
                    datapoints,
                }
            })
            .collect()
    }

    /// The one evaluation made at `at`, over the N periods before it.
    fn evaluation_at(&self, spec: &Spec, at: EpochMs) -> Evaluation {
        let span = EpochMs::from(spec.period_s) * 1000 * spec.n.max(1) as EpochMs;
        let (plan, values) = self.values(spec, TimeWindow::new(at - span, at), self.clock.now());
        let datapoints: Vec<(EpochMs, Option<f64>)> = (0..values.len())
            .rev()
            .map(|i| (plan.bucket_start(i), values[i]))
            .collect();
        Evaluation {
            at: plan.window.end,
            state: state_of(spec, &datapoints),
            datapoints,
        }
    }

    fn metric_alarm(&self, spec: &Spec, salt: u64, history: &[Evaluation]) -> Alarm {
        let (function, namespace, metric) = match spec.source {
            Reads::Function(f) => (f, "AWS/Lambda", metric_name(spec.metric)),
            Reads::ApiErrors => ("", "AWS/ApiGateway", "5XXError"),
        };
        let dimensions: Vec<(String, String)> = match spec.source {
            Reads::Function(_) => vec![("FunctionName".into(), function.into())],
            Reads::ApiErrors => vec![
                ("ApiName".into(), "shop-api".into()),
                ("Stage".into(), "prod".into()),
            ],
        };
        let mut alarm = Alarm {
            name: spec.name.into(),
            kind: AlarmKind::Metric,
            metric: Some(metric.into()),
            namespace: Some(namespace.into()),
            statistic: Some(spec.stat.cloudwatch_name()),
            watched: Watched::from_dimensions(Some(namespace), &dimensions),
            dimensions,
            threshold: Some(spec.threshold),
            comparison: Some(spec.op.into()),
            period_s: Some(spec.period_s),
            evaluation_periods: Some(spec.n as u32),
            datapoints_to_alarm: Some(spec.m as u32),
            ..Alarm::default()
        };
        let Some(last) = history.last() else {
            alarm.state = AlarmState::InsufficientData;
            alarm.reason = "Unchecked: Initial alarm creation".into();
            return alarm;
        };
        alarm.state = last.state.clone();
        // The evaluation that put it in its state: the first of the last run of equal states.
        let from = history
            .iter()
            .rposition(|e| e.state != last.state)
            .map_or(0, |i| i + 1);
        let changed = if from == 0 {
            // In this state for all the history read: since it was created, and the reason
            // is the evaluation made then.
            let at = self.created(salt).min(history[0].at);
            let e = self.evaluation_at(spec, at);
            Evaluation {
                state: last.state.clone(),
                ..e
            }
        } else {
            history[from].clone()
        };
        alarm.state_since = Some(changed.at);
        alarm.reason = reason(spec, &changed);
        alarm
    }

    /// ALARM while either child is in ALARM, from the evaluations the children made.
    fn composite(&self, histories: &[(&str, Vec<Evaluation>)]) -> Alarm {
        let (name, children) = COMPOSITE;
        let of = |child: &str| {
            histories
                .iter()
                .find(|(n, _)| *n == child)
                .map_or(&[][..], |(_, h)| h.as_slice())
        };
        let (a, b) = (of(children[0]), of(children[1]));
        // Both children are evaluated every minute over the same window: walk them together
        // from the newest evaluation back.
        let alarmed = |e: Option<&Evaluation>| e.is_some_and(|e| e.state == AlarmState::Alarm);
        let len = a.len().min(b.len());
        let at = |k: usize| (a.get(a.len() - len + k), b.get(b.len() - len + k));
        let state_at = |k: usize| {
            let (x, y) = at(k);
            alarmed(x) || alarmed(y)
        };
        let rule = format!("ALARM(\"{}\") OR ALARM(\"{}\")", children[0], children[1]);
        let mut alarm = Alarm {
            name: name.into(),
            kind: AlarmKind::Composite,
            rule: Some(rule),
            ..Alarm::default()
        };
        if len == 0 {
            alarm.reason = "Unchecked: Initial alarm creation".into();
            return alarm;
        }
        let now_alarm = state_at(len - 1);
        let from = (0..len)
            .rposition(|k| state_at(k) != now_alarm)
            .map_or(0, |k| k + 1);
        let (x, y) = at(from);
        let when = x.or(y).map_or(self.model.anchor, |e| e.at);
        alarm.state = if now_alarm {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        };
        alarm.state_since = Some(if from == 0 {
            self.created(99).min(when)
        } else {
            when
        });
        // The child whose change moved the composite.
        let child = if now_alarm && !alarmed(x) {
            children[1]
        } else {
            children[0]
        };
        let to = if now_alarm { "ALARM" } else { "OK" };
        alarm.reason = format!(
            "arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{child} transitioned to {to} at {}",
            long_date(alarm.state_since.unwrap_or(when))
        );
        alarm
    }

    fn quiet_alarm(
        &self,
        &(name, namespace, metric, stat, dim, value, op, threshold, period_s): &(
            &str,
            &str,
            &str,
            &str,
            &str,
            &str,
            &str,
            f64,
            u32,
        ),
        salt: u64,
    ) -> Alarm {
        let since = self.created(salt);
        let dimensions = vec![(dim.to_string(), value.to_string())];
        let at = since - EpochMs::from(period_s) * 1000;
        let (symbol, _) = comparison_symbol(op);
        Alarm {
            name: name.into(),
            kind: AlarmKind::Metric,
            state: AlarmState::Ok,
            state_since: Some(since),
            reason: format!(
                "Threshold Crossed: 1 datapoint [0.0 ({})] was not {} the threshold ({}).",
                short_date(at),
                op_words(op, symbol),
                figure(threshold)
            ),
            metric: Some(metric.into()),
            namespace: Some(namespace.into()),
            statistic: Some(stat.into()),
            watched: Watched::from_dimensions(Some(namespace), &dimensions),
            dimensions,
            threshold: Some(threshold),
            comparison: Some(op.into()),
            period_s: Some(period_s),
            evaluation_periods: Some(1),
            datapoints_to_alarm: Some(1),
            ..Alarm::default()
        }
    }
}

fn metric_name(m: Metric) -> &'static str {
    m.cloudwatch_name().unwrap_or("Errors")
}

fn breaches(spec: &Spec, v: f64) -> bool {
    match spec.op {
        GT => v > spec.threshold,
        _ => v >= spec.threshold,
    }
}

fn state_of(spec: &Spec, datapoints: &[(EpochMs, Option<f64>)]) -> AlarmState {
    let present = datapoints.iter().filter(|(_, v)| v.is_some()).count();
    if present == 0 && spec.missing == Missing::Missing {
        return AlarmState::InsufficientData;
    }
    let breaching = datapoints
        .iter()
        .filter(|(_, v)| v.is_some_and(|v| breaches(spec, v)))
        .count();
    if breaching >= spec.m {
        AlarmState::Alarm
    } else {
        AlarmState::Ok
    }
}

/// The state reason CloudWatch writes at a transition.
fn reason(spec: &Spec, e: &Evaluation) -> String {
    if e.state == AlarmState::InsufficientData {
        let n = e.datapoints.len();
        return format!(
            "Insufficient Data: {n} datapoint{} {} unknown.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "was" } else { "were" }
        );
    }
    let (symbol, _) = comparison_symbol(spec.op);
    let words = op_words(spec.op, symbol);
    let alarm = e.state == AlarmState::Alarm;
    // The datapoints that decided it: the breaching ones into ALARM, the others back to OK.
    let shown: Vec<String> = e
        .datapoints
        .iter()
        .filter_map(|(t, v)| Some((*t, (*v)?)))
        .filter(|&(_, v)| breaches(spec, v) == alarm)
        .map(|(t, v)| format!("{} ({})", figure(v), short_date(t)))
        .collect();
    let not = if alarm { "" } else { "not " };
    if e.datapoints.len() == 1 {
        return format!(
            "Threshold Crossed: 1 datapoint [{}] was {not}{words} the threshold ({}).",
            shown.join(", "),
            figure(spec.threshold)
        );
    }
    let (from, to) = if alarm {
        ("OK", "ALARM")
    } else {
        ("ALARM", "OK")
    };
    format!(
        "Threshold Crossed: {} out of the last {} datapoints [{}] were {not}{words} the threshold ({}) (minimum {} datapoint{} for {from} -> {to} transition).",
        shown.len(),
        e.datapoints.len(),
        shown.join(", "),
        figure(spec.threshold),
        spec.m,
        if spec.m == 1 { "" } else { "s" },
    )
}

fn op_words(op: &str, symbol: &str) -> String {
    match op {
        GE => "greater than or equal to".into(),
        GT => "greater than".into(),
        _ => symbol.to_string(),
    }
}

/// A value as CloudWatch prints it in a reason: `12.0`, `1834.5`.
fn figure(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').to_string()
    }
}

/// `02/12/26 13:22:00`, as in a state reason's datapoints.
fn short_date(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%d/%m/%y %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// `Wednesday 02 December, 2026 13:22:00 UTC`, as in a composite's state reason.
fn long_date(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%A %d %B, %Y %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::demo::Clock;

    const T0: EpochMs = 1_795_442_400_000;

    fn alarms() -> Vec<Alarm> {
        DemoSource::new(42, Clock::Fixed(T0)).inner.alarms()
    }

    #[test]
    fn the_story_s_alarms_are_in_alarm_and_the_rest_ok_or_without_data() {
        let all = alarms();
        let state = |name: &str| {
            all.iter()
                .find(|a| a.name == name)
                .map(|a| a.state.clone())
                .unwrap_or(AlarmState::Other("missing".into()))
        };
        assert_eq!(state("orders-api-create-errors"), AlarmState::Alarm);
        assert_eq!(state("search-indexer-throttles"), AlarmState::Alarm);
        assert_eq!(state("checkout-degraded"), AlarmState::Alarm);
        assert_eq!(state("email-sender-dlq-not-empty"), AlarmState::Ok);
        assert_eq!(state("payments-webhook-errors"), AlarmState::Ok);
        assert_eq!(
            state("reports-nightly-duration"),
            AlarmState::InsufficientData
        );
        for a in &all {
            let since = a.state_since.unwrap_or(i64::MAX);
            assert!(since <= T0, "{} changed state in the future", a.name);
            assert!(!a.reason.is_empty(), "{} has no reason", a.name);
        }
    }

    #[test]
    fn the_reasons_read_like_cloudwatch_s() {
        let e = Evaluation {
            at: T0,
            state: AlarmState::Alarm,
            datapoints: vec![(T0 - 60_000, Some(12.0)), (T0 - 120_000, Some(7.5))],
        };
        assert_eq!(
            reason(&SPECS[0], &e),
            "Threshold Crossed: 2 out of the last 2 datapoints [12.0 (23/11/26 13:59:00), \
             7.5 (23/11/26 13:58:00)] were greater than or equal to the threshold (5.0) \
             (minimum 2 datapoints for OK -> ALARM transition)."
        );
        assert_eq!(long_date(T0), "Monday 23 November, 2026 14:00:00 UTC");
    }
}
