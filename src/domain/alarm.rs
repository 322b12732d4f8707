//! CloudWatch alarms (DescribeAlarms): metric and composite alarms, their state and since when,
//! what they compare, and the resource they watch, as the alarms screen and its tests read them.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

use super::EpochMs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum AlarmKind {
    /// Watches one metric, or a metric-math expression.
    #[default]
    Metric,
    /// Combines other alarms' states with a rule.
    Composite,
}

/// An alarm's `StateValue`. A state this build does not know is kept as AWS spelt it (and
/// serialised as AWS spells it, so scripts compare with `"ALARM"`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AlarmState {
    Alarm,
    #[default]
    InsufficientData,
    Ok,
    Other(String),
}

impl Serialize for AlarmState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl AlarmState {
    pub fn parse(s: &str) -> AlarmState {
        match s {
            "ALARM" => AlarmState::Alarm,
            "INSUFFICIENT_DATA" => AlarmState::InsufficientData,
            "OK" => AlarmState::Ok,
            other => AlarmState::Other(other.to_string()),
        }
    }

    /// As AWS spells it.
    pub fn as_str(&self) -> &str {
        match self {
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
            AlarmState::Ok => "OK",
            AlarmState::Other(s) => s,
        }
    }

    /// How urgent: ALARM first, then INSUFFICIENT_DATA, then a state we do not know (it may
    /// matter), then OK.
    pub fn rank(&self) -> u8 {
        match self {
            AlarmState::Alarm => 0,
            AlarmState::InsufficientData => 1,
            AlarmState::Other(_) => 2,
            AlarmState::Ok => 3,
        }
    }
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an alarm watches, from its namespace and dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub enum Watched {
    /// A Lambda function (`FunctionName` in AWS/Lambda): its dashboard can open.
    Function(String),
    Queue(String),
    Table(String),
    /// An API Gateway API (`ApiName` for REST, `ApiId` for HTTP) and its stage, if named.
    Api {
        api: String,
        stage: Option<String>,
    },
    #[default]
    Nothing,
}

impl Watched {
    /// Reads the resource from a metric's namespace and dimensions.
    pub fn from_dimensions(namespace: Option<&str>, dims: &[(String, String)]) -> Watched {
        let get = |k: &str| {
            dims.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        match namespace.unwrap_or("") {
            "AWS/Lambda" => get("FunctionName").map_or(Watched::Nothing, Watched::Function),
            "AWS/SQS" => get("QueueName").map_or(Watched::Nothing, Watched::Queue),
            "AWS/DynamoDB" => get("TableName").map_or(Watched::Nothing, Watched::Table),
            "AWS/ApiGateway" => {
                get("ApiName")
                    .or_else(|| get("ApiId"))
                    .map_or(Watched::Nothing, |api| Watched::Api {
                        api,
                        stage: get("Stage"),
                    })
            }
            _ => Watched::Nothing,
        }
    }

    /// Its name alone: "orders-api-create", "shop-api/prod"; empty for nothing.
    pub fn name(&self) -> String {
        match self {
            Watched::Function(n) | Watched::Queue(n) | Watched::Table(n) => n.clone(),
            Watched::Api { api, stage: None } => api.clone(),
            Watched::Api {
                api,
                stage: Some(s),
            } => format!("{api}/{s}"),
            Watched::Nothing => String::new(),
        }
    }

    /// What kind of thing it is, in words ("SQS queue").
    pub fn kind(&self) -> &'static str {
        match self {
            Watched::Function(_) => "Lambda function",
            Watched::Queue(_) => "SQS queue",
            Watched::Table(_) => "DynamoDB table",
            Watched::Api { .. } => "API Gateway API",
            Watched::Nothing => "",
        }
    }
}

/// Short, for a table cell: "λ orders-api-create", "sqs email-dlq", "api shop-api/prod", "—".
impl fmt::Display for Watched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Watched::Function(n) => write!(f, "λ {n}"),
            Watched::Queue(n) => write!(f, "sqs {n}"),
            Watched::Table(n) => write!(f, "ddb {n}"),
            Watched::Api { api, stage: None } => write!(f, "api {api}"),
            Watched::Api {
                api,
                stage: Some(s),
            } => write!(f, "api {api}/{s}"),
            Watched::Nothing => f.write_str("—"),
        }
    }
}

/// One CloudWatch alarm. Every field AWS may leave out is optional here: a missing one shows as
/// missing, never as a made-up value.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Alarm {
    pub name: String,
    pub kind: AlarmKind,
    pub state: AlarmState,
    /// When the state last changed (`StateTransitionedTimestamp`, else `StateUpdatedTimestamp`).
    pub state_since: Option<EpochMs>,
    /// Why it is in its state, as CloudWatch wrote it (long).
    pub reason: String,
    pub metric: Option<String>,
    pub namespace: Option<String>,
    /// `Sum`, `Maximum`, `p99`…
    pub statistic: Option<String>,
    pub dimensions: Vec<(String, String)>,
    /// A metric-math alarm's expression (the query with ReturnData).
    pub expression: Option<String>,
    pub threshold: Option<f64>,
    /// `GreaterThanOrEqualToThreshold` and kin, as AWS spells it.
    pub comparison: Option<String>,
    pub period_s: Option<u32>,
    pub evaluation_periods: Option<u32>,
    /// M of "M out of N" (N is `evaluation_periods`); absent means N.
    pub datapoints_to_alarm: Option<u32>,
    /// A composite alarm's rule: `ALARM("a") OR ALARM("b")`.
    pub rule: Option<String>,
    pub watched: Watched,
}

impl Alarm {
    /// "AWS/Lambda/Errors Sum", or the expression of a metric-math alarm.
    pub fn metric_label(&self) -> String {
        if self.kind == AlarmKind::Composite {
            return "composite".into();
        }
        if let (Some(e), None) = (&self.expression, &self.metric) {
            return format!("math: {e}");
        }
        let path: Vec<&str> = [self.namespace.as_deref(), self.metric.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let parts: Vec<String> = [
            (!path.is_empty()).then(|| path.join("/")),
            self.statistic.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "—".into()
        } else {
            parts.join(" ")
        }
    }

    /// "Errors ≥ 5 for 2×60s", "Duration > 1000 for 3 of 5×1m"; a composite's rule.
    pub fn condition(&self) -> String {
        if let Some(rule) = &self.rule {
            return rule.clone();
        }
        let what = self
            .metric
            .as_deref()
            .or(self.expression.as_deref().map(|_| "expr"))
            .unwrap_or("value");
        let op = self.comparison.as_deref().map(comparison_symbol);
        let mut out = match (op, self.threshold) {
            (Some((sym, true)), Some(t)) => format!("{what} {sym} {}", number(t)),
            (Some((sym, _)), _) => format!("{what} {sym}"),
            (None, Some(t)) => format!("{what} ? {}", number(t)),
            (None, None) => what.to_string(),
        };
        if let Some(n) = self.evaluation_periods {
            let m = self.datapoints_to_alarm.filter(|&m| m != n);
            let of = m.map(|m| format!("{m} of ")).unwrap_or_default();
            let period = self.period_s.map(period).unwrap_or_else(|| "?".into());
            out.push_str(&format!(" for {of}{n}×{period}"));
        }
        out
    }

    /// Newest transition first within a state; unknown times last.
    fn since_cmp(&self, other: &Alarm) -> Ordering {
        match (self.state_since, other.state_since) {
            (Some(a), Some(b)) => b.cmp(&a),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }

    /// The order an on-call engineer reads alarms in: ALARM, then INSUFFICIENT_DATA, then OK;
    /// within a state the newest transition first; then by name.
    pub fn urgency_cmp(&self, other: &Alarm) -> Ordering {
        self.state
            .rank()
            .cmp(&other.state.rank())
            .then_with(|| self.since_cmp(other))
            .then_with(|| self.name.cmp(&other.name))
    }
}

/// The operator as a symbol, and whether a threshold follows it (anomaly bands have none).
pub fn comparison_symbol(op: &str) -> (&str, bool) {
    match op {
        "GreaterThanOrEqualToThreshold" => ("≥", true),
        "GreaterThanThreshold" => (">", true),
        "LessThanThreshold" => ("<", true),
        "LessThanOrEqualToThreshold" => ("≤", true),
        "LessThanLowerOrGreaterThanUpperThreshold" => ("outside band", false),
        "LessThanLowerThreshold" => ("below band", false),
        "GreaterThanUpperThreshold" => ("above band", false),
        other => (other, true),
    }
}

/// A threshold as written: `5`, `0.5`, `1500.25`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A period as people say it: `60s`, `5m`, `1h`, `1d`.
fn period(s: u32) -> String {
    match s {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s > 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(name: &str, state: &str, since: Option<EpochMs>) -> Alarm {
        Alarm {
            name: name.into(),
            state: AlarmState::parse(state),
            state_since: since,
            ..Default::default()
        }
    }

    #[test]
    fn alarms_come_first_then_no_data_then_ok_newest_first() {
        let mut v = [
            alarm("ok-old", "OK", Some(10)),
            alarm("alarm-old", "ALARM", Some(100)),
            alarm("nodata", "INSUFFICIENT_DATA", Some(500)),
            alarm("ok-new", "OK", Some(900)),
            alarm("alarm-new", "ALARM", Some(300)),
            alarm("alarm-unknown-time", "ALARM", None),
            alarm("odd", "SILENCED", Some(1)),
        ];
        v.sort_by(Alarm::urgency_cmp);
        let names: Vec<&str> = v.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "alarm-new",
                "alarm-old",
                "alarm-unknown-time",
                "nodata",
                "odd",
                "ok-new",
                "ok-old"
            ]
        );
    }

    #[test]
    fn unknown_states_are_kept_as_spelt() {
        assert_eq!(AlarmState::parse("SILENCED").as_str(), "SILENCED");
        assert_eq!(AlarmState::parse("ALARM"), AlarmState::Alarm);
        assert_eq!(AlarmState::parse("").to_string(), "");
    }

    #[test]
    fn the_watched_resource_comes_from_namespace_and_dimensions() {
        let d = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let fun = Watched::from_dimensions(
            Some("AWS/Lambda"),
            &d(&[("Resource", "f:live"), ("FunctionName", "f")]),
        );
        assert_eq!(fun, Watched::Function("f".into()));
        assert_eq!(fun.to_string(), "λ f");
        // FunctionName outside AWS/Lambda is some custom metric, not the function.
        assert_eq!(
            Watched::from_dimensions(Some("Custom"), &d(&[("FunctionName", "f")])),
            Watched::Nothing
        );
        assert_eq!(
            Watched::from_dimensions(Some("AWS/SQS"), &d(&[("QueueName", "q")])).to_string(),
            "sqs q"
        );
        assert_eq!(
            Watched::from_dimensions(Some("AWS/DynamoDB"), &d(&[("TableName", "t")])),
            Watched::Table("t".into())
        );
        assert_eq!(
            Watched::from_dimensions(
                Some("AWS/ApiGateway"),
                &d(&[("ApiName", "shop"), ("Stage", "prod")])
            )
            .to_string(),
            "api shop/prod"
        );
        assert_eq!(
            Watched::from_dimensions(Some("AWS/ApiGateway"), &d(&[("ApiId", "a1")])).to_string(),
            "api a1"
        );
        assert_eq!(Watched::from_dimensions(None, &[]).to_string(), "—");
        let api = Watched::Api {
            api: "shop".into(),
            stage: Some("prod".into()),
        };
        assert_eq!(
            (api.name(), api.kind()),
            ("shop/prod".into(), "API Gateway API")
        );
        assert_eq!(Watched::Nothing.name(), "");
        assert_eq!(
            Watched::from_dimensions(Some("AWS/Lambda"), &d(&[("FunctionName", "")])),
            Watched::Nothing
        );
    }

    #[test]
    fn conditions_read_like_the_console_writes_them() {
        let mut a = Alarm {
            metric: Some("Errors".into()),
            comparison: Some("GreaterThanOrEqualToThreshold".into()),
            threshold: Some(5.0),
            period_s: Some(60),
            evaluation_periods: Some(2),
            ..Default::default()
        };
        assert_eq!(a.condition(), "Errors ≥ 5 for 2×60s");
        a.datapoints_to_alarm = Some(2);
        assert_eq!(a.condition(), "Errors ≥ 5 for 2×60s", "M = N says nothing");
        a.datapoints_to_alarm = Some(3);
        a.evaluation_periods = Some(5);
        a.period_s = Some(300);
        a.threshold = Some(0.25);
        a.comparison = Some("LessThanThreshold".into());
        assert_eq!(a.condition(), "Errors < 0.25 for 3 of 5×5m");
        a.comparison = Some("LessThanLowerOrGreaterThanUpperThreshold".into());
        a.threshold = None;
        assert_eq!(a.condition(), "Errors outside band for 3 of 5×5m");
        // Nothing known: no panic, nothing invented.
        assert_eq!(Alarm::default().condition(), "value");
        assert_eq!(Alarm::default().metric_label(), "—");
        let c = Alarm {
            kind: AlarmKind::Composite,
            rule: Some("ALARM(\"a\") OR ALARM(\"b\")".into()),
            ..Default::default()
        };
        assert_eq!(c.condition(), "ALARM(\"a\") OR ALARM(\"b\")");
        assert_eq!(c.metric_label(), "composite");
        let full = Alarm {
            namespace: Some("AWS/Lambda".into()),
            metric: Some("Errors".into()),
            statistic: Some("Sum".into()),
            ..Default::default()
        };
        assert_eq!(full.metric_label(), "AWS/Lambda/Errors Sum");
        let math = Alarm {
            expression: Some("100*e/i".into()),
            ..Default::default()
        };
        assert_eq!(math.metric_label(), "math: 100*e/i");
        assert_eq!(period(86_400), "1d");
        assert_eq!(period(90), "90s");
        assert_eq!(period(120), "2m");
    }
}
