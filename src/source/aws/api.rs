//! The AWS operations lambdascope calls: names, IAM actions and account quotas, in one table.
//!
//! Every SDK call in this backend goes through [`super::AwsSource::call`] with one of these, so the
//! request budget, the cost meter and the AccessDenied messages all agree on what was called.

/// One AWS read API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    ListFunctions,
    GetFunction,
    ListVersionsByFunction,
    ListEventSourceMappings,
    ListProvisionedConcurrencyConfigs,
    GetAccountSettings,
    GetMetricData,
    FilterLogEvents,
    GetLogEvents,
    DescribeLogGroups,
    StartLiveTail,
    StartQuery,
    GetQueryResults,
    StopQuery,
    GetTraceSummaries,
    BatchGetTraces,
    GetServiceGraph,
}

/// Every IAM action the backend needs; nothing else. The README's policy lists exactly these.
pub const IAM_ACTIONS: &[&str] = &[
    "lambda:ListFunctions",
    "lambda:GetFunction",
    "lambda:ListVersionsByFunction",
    "lambda:ListEventSourceMappings",
    "lambda:ListProvisionedConcurrencyConfigs",
    "lambda:GetAccountSettings",
    "cloudwatch:GetMetricData",
    "logs:FilterLogEvents",
    "logs:GetLogEvents",
    "logs:DescribeLogGroups",
    "logs:StartLiveTail",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "logs:StopQuery",
    "xray:GetTraceSummaries",
    "xray:BatchGetTraces",
    "xray:GetServiceGraph",
];

impl Api {
    pub const ALL: [Api; 17] = [
        Api::ListFunctions,
        Api::GetFunction,
        Api::ListVersionsByFunction,
        Api::ListEventSourceMappings,
        Api::ListProvisionedConcurrencyConfigs,
        Api::GetAccountSettings,
        Api::GetMetricData,
        Api::FilterLogEvents,
        Api::GetLogEvents,
        Api::DescribeLogGroups,
        Api::StartLiveTail,
        Api::StartQuery,
        Api::GetQueryResults,
        Api::StopQuery,
        Api::GetTraceSummaries,
        Api::BatchGetTraces,
        Api::GetServiceGraph,
    ];

    /// The operation name, as AWS spells it.
    pub fn name(self) -> &'static str {
        match self {
            Api::ListFunctions => "ListFunctions",
            Api::GetFunction => "GetFunction",
            Api::ListVersionsByFunction => "ListVersionsByFunction",
            Api::ListEventSourceMappings => "ListEventSourceMappings",
            Api::ListProvisionedConcurrencyConfigs => "ListProvisionedConcurrencyConfigs",
            Api::GetAccountSettings => "GetAccountSettings",
            Api::GetMetricData => "GetMetricData",
            Api::FilterLogEvents => "FilterLogEvents",
            Api::GetLogEvents => "GetLogEvents",
            Api::DescribeLogGroups => "DescribeLogGroups",
            Api::StartLiveTail => "StartLiveTail",
            Api::StartQuery => "StartQuery",
            Api::GetQueryResults => "GetQueryResults",
            Api::StopQuery => "StopQuery",
            Api::GetTraceSummaries => "GetTraceSummaries",
            Api::BatchGetTraces => "BatchGetTraces",
            Api::GetServiceGraph => "GetServiceGraph",
        }
    }

    fn service(self) -> &'static str {
        match self {
            Api::ListFunctions
            | Api::GetFunction
            | Api::ListVersionsByFunction
            | Api::ListEventSourceMappings
            | Api::ListProvisionedConcurrencyConfigs
            | Api::GetAccountSettings => "lambda",
            Api::GetMetricData => "cloudwatch",
            Api::FilterLogEvents
            | Api::GetLogEvents
            | Api::DescribeLogGroups
            | Api::StartLiveTail
            | Api::StartQuery
            | Api::GetQueryResults
            | Api::StopQuery => "logs",
            Api::GetTraceSummaries | Api::BatchGetTraces | Api::GetServiceGraph => "xray",
        }
    }

    /// Whether sending it again does no more than sending it once. After a 5xx, a timeout or
    /// a dropped connection AWS may have acted on the request: StartQuery would then start a
    /// second billed query and orphan the first. (A throttle is refused before anything runs.)
    pub fn idempotent(self) -> bool {
        !matches!(self, Api::StartQuery)
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

    /// Default account-wide quota in requests per second (AWS docs, reference §2.3, §4.6, §5).
    /// These are shared with every other tool in the account, so we stay a little under them.
    /// X-Ray's quotas are not documented per API; 5/s is a conservative guess.
    pub fn quota_per_s(self) -> f64 {
        match self {
            Api::ListFunctions => 15.0,
            Api::GetFunction => 100.0,
            // "The remainder of the control plane API": 15/s, shared with ListFunctions.
            Api::ListVersionsByFunction
            | Api::ListEventSourceMappings
            | Api::ListProvisionedConcurrencyConfigs
            | Api::GetAccountSettings => 15.0,
            Api::GetMetricData => 50.0,
            Api::FilterLogEvents => 5.0,
            Api::GetLogEvents => 10.0,
            Api::DescribeLogGroups => 5.0,
            Api::StartLiveTail => 5.0,
            Api::StartQuery => 5.0,
            Api::GetQueryResults => 5.0,
            Api::StopQuery => 5.0,
            Api::GetTraceSummaries | Api::BatchGetTraces | Api::GetServiceGraph => 5.0,
        }
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
}
