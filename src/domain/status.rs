//! What a source can fail with, what it is, and how it is doing.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// Everything a source can fail with, phrased for the person reading the status bar.
/// Cloneable so that `Loadable::Failed` can hold it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error(
        "no AWS credentials found (tried {tried}); run `aws configure` or `aws sso login`, or try --demo"
    )]
    NoCredentials { tried: String },
    #[error("the SSO session has expired; run `aws sso login --profile {profile}`")]
    SsoExpired { profile: String },
    /// AWS does not know the keys (UnrecognizedClientException and kin): nothing expired.
    #[error("invalid AWS credentials: {reason}")]
    InvalidCredentials { reason: String },
    #[error("access denied: this needs IAM permission {action}")]
    AccessDenied { action: String },
    /// Throttled on every try: the call gave up (the budget's own pause, while it lasts, is in
    /// [`SourceHealth::throttled`]).
    #[error("throttled on {api}; gave up after {tries} tries")]
    Throttled { api: String, tries: u32 },
    #[error("cannot reach {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    /// The endpoint took the request and never answered within the deadline.
    #[error("{what} timed out after {}s: {endpoint} did not answer", after.as_secs().max(1))]
    TimedOut {
        what: String,
        endpoint: String,
        after: Duration,
    },
    #[error("unknown region {0:?}")]
    UnknownRegion(String),
    #[error("{what} is not supported here: {reason}")]
    Unsupported { what: String, reason: String },
    #[error("{0} not found")]
    NotFound(String),
    /// The endpoint has no such operation (a 404 without an AWS error code): an emulator
    /// that does not speak the SDK's protocol, or a wrong --endpoint-url.
    #[error("this endpoint does not serve {service} {api} (HTTP {status})")]
    NotServed {
        service: String,
        api: String,
        status: u16,
    },
    /// The service could not read a query's filter (X-Ray's InvalidRequestException on an
    /// expression); the screen shows it next to what was typed.
    #[error("invalid filter expression: {0}")]
    InvalidFilter(String),
    #[error("{0}")]
    Other(String),
}

/// What the source is, for the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SourceInfo {
    Demo {
        seed: u64,
    },
    Aws {
        account: Option<String>,
        profile: Option<String>,
        region: String,
        endpoint: Option<String>,
    },
}

impl fmt::Display for SourceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceInfo::Demo { .. } => f.write_str("demo account"),
            SourceInfo::Aws {
                account,
                profile,
                region,
                endpoint,
            } => {
                // Until the credentials or the first function ARN say whose account it is.
                write!(f, "{}", account.as_deref().unwrap_or("account …"))?;
                if let Some(p) = profile {
                    write!(f, " · {p}")?;
                }
                write!(f, " · {region}")?;
                if let Some(e) = endpoint {
                    write!(f, " · {e}")?;
                }
                Ok(())
            }
        }
    }
}

/// Live health of the source: shown in the status bar (throttling, calls, cost).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SourceHealth {
    /// e.g. "throttled: FilterLogEvents, retrying in 4 s".
    pub throttled: Option<String>,
    pub calls: u64,
    /// Estimated spend so far at public prices.
    pub estimated_usd: f64,
    /// Per-API breakdown for `:usage`: (api, calls, units, $).
    pub usage: Vec<UsageLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageLine {
    pub api: String,
    pub calls: u64,
    /// What is billed: metrics requested, session-minutes, GB scanned… (0 when free).
    pub billed_units: f64,
    pub unit: String,
    pub estimated_usd: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_says_the_account_is_not_known_yet_rather_than_inventing_one() {
        let mut info = SourceInfo::Aws {
            account: None,
            profile: Some("prod".into()),
            region: "eu-west-1".into(),
            endpoint: None,
        };
        assert_eq!(info.to_string(), "account … · prod · eu-west-1");
        if let SourceInfo::Aws { account, .. } = &mut info {
            *account = Some("111122223333".into());
        }
        assert_eq!(info.to_string(), "111122223333 · prod · eu-west-1");
    }
}
