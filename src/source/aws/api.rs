//! The AWS operations lambdascope calls, in one table: one row per API with its service, its
//! account quota, whether it may be sent again, and what it bills.
//!
//! Every SDK call in this backend goes through [`super::AwsSource::call`] with one of these, so the
//! request budget, the cost meter, the IAM policy and the AccessDenied messages all agree on what
//! was called.
//!
//! **Read-only.** The console never calls an API that changes anything: every row says `reads`
//! (the table accepts nothing else), each name starts with a read verb ([`READ_VERBS`]), and
//! `backend_calls_only_read_operations` (source/aws/mod.rs) checks that every SDK operation the
//! backend's code calls is a row here.

use super::cost::{
    USD_PER_INSIGHTS_GB, USD_PER_LIVE_TAIL_MINUTE, USD_PER_METRIC_REQUESTED, USD_PER_TRACE,
};

/// What a call bills, beyond the free tier's request counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub usd_per_unit: f64,
    /// What a unit is ("metrics", "GB scanned"); empty when free.
    pub unit: &'static str,
}

impl Price {
    /// No per-request charge (assumed within the CloudWatch free tier); counted as calls only.
    pub const FREE: Price = Price::per(0.0, "");
    pub const fn per(usd_per_unit: f64, unit: &'static str) -> Price {
        Price { usd_per_unit, unit }
    }
}

/// Whether a call may be sent again after a 5xx, a timeout or a dropped connection, when AWS
/// may have acted on it already. (A throttle is refused before anything runs.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Sending it again does no more than sending it once.
    Safe,
    /// A second send would start a second billed job and orphan the first.
    Never,
}

/// The verbs an operation's name may start with: each only reads. StartQuery, StopQuery and
/// StartLiveTail start or stop a read of logs, and change nothing in the account.
pub const READ_VERBS: &[&str] = &[
    "List",
    "Get",
    "Describe",
    "Filter",
    "BatchGet",
    "StartQuery",
    "StopQuery",
    "StartLiveTail",
];

macro_rules! apis {
    ($(
        $name:ident: $service:ident reads, $quota:literal/s, $resend:ident, $price:expr;
    )*) => {
        /// One AWS read API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Api { $($name),* }

        /// Every IAM action the backend needs; nothing else. The README's policy lists exactly
        /// these.
        pub const IAM_ACTIONS: &[&str] = &[$(concat!(stringify!($service), ":", stringify!($name))),*];

        impl Api {
            pub const ALL: &[Api] = &[$(Api::$name),*];

            /// The operation name, as AWS spells it.
            pub fn name(self) -> &'static str {
                match self { $(Api::$name => stringify!($name)),* }
            }

            /// The IAM service prefix.
            fn service(self) -> &'static str {
                match self { $(Api::$name => stringify!($service)),* }
            }

            /// Default account-wide quota in requests per second (AWS docs, reference §2.3,
            /// §4.6, §5). Shared with every other tool in the account, so we stay a little
            /// under them.
            pub fn quota_per_s(self) -> f64 {
                match self { $(Api::$name => $quota),* }
            }

            pub fn resend(self) -> Resend {
                match self { $(Api::$name => Resend::$resend),* }
            }

            /// What it bills, at public prices (see source/aws/cost.rs).
            pub fn price(self) -> Price {
                match self { $(Api::$name => $price),* }
            }
        }
    };
}

// Quotas: "the remainder of the Lambda control plane API" is 15/s, shared with ListFunctions.
// X-Ray's quotas are not documented per API; 5/s is a conservative guess.
apis! {
    // API                             service            quota    resend  price
    ListFunctions:                     lambda reads,      15.0/s,  Safe,   Price::FREE;
    GetFunction:                       lambda reads,      100.0/s, Safe,   Price::FREE;
    ListVersionsByFunction:            lambda reads,      15.0/s,  Safe,   Price::FREE;
    ListEventSourceMappings:           lambda reads,      15.0/s,  Safe,   Price::FREE;
    ListProvisionedConcurrencyConfigs: lambda reads,      15.0/s,  Safe,   Price::FREE;
    GetAccountSettings:                lambda reads,      15.0/s,  Safe,   Price::FREE;
    GetMetricData:                     cloudwatch reads,  50.0/s,  Safe,
        Price::per(USD_PER_METRIC_REQUESTED, "metrics");
    DescribeAlarms:                    cloudwatch reads,  9.0/s,   Safe,   Price::FREE;
    FilterLogEvents:                   logs reads,        5.0/s,   Safe,   Price::FREE;
    GetLogEvents:                      logs reads,        10.0/s,  Safe,   Price::FREE;
    DescribeLogGroups:                 logs reads,        5.0/s,   Safe,   Price::FREE;
    StartLiveTail:                     logs reads,        5.0/s,   Safe,
        Price::per(USD_PER_LIVE_TAIL_MINUTE, "session-min");
    StartQuery:                        logs reads,        5.0/s,   Never,
        Price::per(USD_PER_INSIGHTS_GB, "GB scanned");
    GetQueryResults:                   logs reads,        5.0/s,   Safe,   Price::FREE;
    StopQuery:                         logs reads,        5.0/s,   Safe,   Price::FREE;
    GetTraceSummaries:                 xray reads,        5.0/s,   Safe,   Price::per(USD_PER_TRACE, "traces");
    BatchGetTraces:                    xray reads,        5.0/s,   Safe,   Price::per(USD_PER_TRACE, "traces");
    GetServiceGraph:                   xray reads,        5.0/s,   Safe,   Price::FREE;
}

impl Api {
    /// Whether sending it again does no more than sending it once. After a 5xx, a timeout or
    /// a dropped connection AWS may have acted on the request: StartQuery would then start a
    /// second billed query and orphan the first.
    pub fn idempotent(self) -> bool {
        self.resend() == Resend::Safe
    }

    /// The service as people name it, for messages.
    pub fn service_name(self) -> &'static str {
        match self.service() {
            "lambda" => "Lambda",
            "cloudwatch" => "CloudWatch",
            "logs" => "CloudWatch Logs",
            _ => "X-Ray",
        }
    }

    /// The IAM action a caller needs, e.g. `logs:FilterLogEvents`.
    pub fn iam_action(self) -> String {
        format!("{}:{}", self.service(), self.name())
    }

    /// Whether an operation's name starts with a read verb.
    pub fn is_read_name(name: &str) -> bool {
        READ_VERBS.iter().any(|v| name.starts_with(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_actions_are_exactly_the_apis() {
        let from_apis: Vec<String> = Api::ALL.iter().map(|a| a.iam_action()).collect();
        assert_eq!(from_apis, IAM_ACTIONS);
    }

    #[test]
    fn every_api_is_a_read() {
        for api in Api::ALL {
            assert!(Api::is_read_name(api.name()), "{api:?} is not a read");
        }
        for write in [
            "PutMetricData",
            "UpdateFunctionConfiguration",
            "DeleteLogGroup",
        ] {
            assert!(!Api::is_read_name(write), "{write}");
        }
    }

    #[test]
    fn only_a_query_start_is_never_resent_and_only_some_calls_bill() {
        let never: Vec<Api> = Api::ALL
            .iter()
            .copied()
            .filter(|a| !a.idempotent())
            .collect();
        assert_eq!(never, [Api::StartQuery]);
        assert_eq!(Api::GetMetricData.price().unit, "metrics");
        assert_eq!(Api::FilterLogEvents.price(), Price::FREE);
        assert_eq!(Api::GetFunction.service_name(), "Lambda");
    }
}
