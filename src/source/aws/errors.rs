//! Turning SDK errors into [`SourceError`]s a person can act on, and deciding what is worth a retry.
//!
//! Messages are built from the error code, the service's message and the HTTP status, never from
//! an SDK error's `Debug` output.

use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::api::Api;
use crate::domain::SourceError;

/// Where we were talking to and as whom, for messages.
#[derive(Debug, Clone, Default)]
pub struct ErrorContext {
    /// e.g. `http://127.0.0.1:5000` or `AWS us-east-1`.
    pub endpoint: String,
    pub profile: Option<String>,
}

/// What to do about a failed call.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Slow down and retry; `hint` is the server's Retry-After, if it sent one.
    Throttled { hint: Option<Duration> },
    /// Network trouble or a 5xx: worth retrying. The error is what to report if retries run out.
    Transient(SourceError),
    /// Retrying will not help.
    Fatal(SourceError),
}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    // Logs: too many concurrent Insights queries; waiting frees a slot.
    "LimitExceededException",
];

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDeniedException",
    "AccessDenied",
    "UnauthorizedOperation",
    "UnauthorizedException",
];

const EXPIRED_CODES: &[&str] = &["ExpiredTokenException", "ExpiredToken"];

/// AWS does not know the access key: the keys are wrong, not stale.
const UNKNOWN_KEY_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidAccessKeyId",
];

/// Decides what a failed call means, for any of the four SDKs.
pub fn classify<E>(api: Api, err: &SdkError<E, HttpResponse>, ctx: &ErrorContext) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(se) => {
            let raw = se.raw();
            let status = raw.status().as_u16();
            let hint = raw.headers().get("retry-after").and_then(parse_retry_after);
            let e = se.err();
            classify_service(api, e.code(), e.message(), status, hint, ctx)
        }
        // The SDK's own timeouts (a profile may set them); ours are in `AwsSource::call`.
        SdkError::TimeoutError(_) => Failure::Transient(SourceError::TimedOut {
            what: api.name().into(),
            endpoint: ctx.endpoint.clone(),
            after: Duration::ZERO,
        }),
        SdkError::DispatchFailure(df) => {
            let text = DisplayErrorContext(err).to_string();
            if let Some(fatal) = credential_problem(&text, ctx) {
                return Failure::Fatal(fatal);
            }
            let reason = if df.is_timeout() {
                "the connection timed out".to_string()
            } else if text.contains("dns error") || text.contains("failed to lookup") {
                "the host name does not resolve (check the region and --endpoint-url)".to_string()
            } else if text.contains("Connection refused") {
                "connection refused".to_string()
            } else if df.is_io() {
                "the connection failed".to_string()
            } else {
                short(&text)
            };
            Failure::Transient(unreachable(ctx, reason))
        }
        SdkError::ResponseError(re) => {
            let status = re.raw().status().as_u16();
            let text = format!("{} sent an unreadable response (HTTP {status})", api.name());
            if status == 404 {
                Failure::Fatal(SourceError::NotServed {
                    service: api.service_name().into(),
                    api: api.name().into(),
                    status,
                })
            } else if status >= 500 || status == 0 {
                Failure::Transient(SourceError::Other(text))
            } else {
                Failure::Fatal(SourceError::Other(text))
            }
        }
        // Construction failures include credential resolution and invalid parameters.
        _ => {
            let text = DisplayErrorContext(err).to_string();
            Failure::Fatal(credential_problem(&text, ctx).unwrap_or_else(|| {
                SourceError::Other(format!("{} failed: {}", api.name(), short(&text)))
            }))
        }
    }
}

/// The part of [`classify`] that depends only on what the service said; unit-testable.
pub fn classify_service(
    api: Api,
    code: Option<&str>,
    message: Option<&str>,
    status: u16,
    hint: Option<Duration>,
    ctx: &ErrorContext,
) -> Failure {
    let code_str = code.unwrap_or("");
    if THROTTLING_CODES.contains(&code_str) || status == 429 {
        return Failure::Throttled { hint };
    }
    if ACCESS_DENIED_CODES.contains(&code_str) {
        return Failure::Fatal(SourceError::AccessDenied {
            action: api.iam_action(),
        });
    }
    if EXPIRED_CODES.contains(&code_str) {
        return Failure::Fatal(expired(ctx));
    }
    if UNKNOWN_KEY_CODES.contains(&code_str) || code_str == "SignatureDoesNotMatch" {
        return Failure::Fatal(invalid_credentials(code_str, ctx));
    }
    if code_str == "ResourceNotFoundException" {
        let what = message.filter(|m| !m.is_empty()).unwrap_or(api.name());
        return Failure::Fatal(SourceError::NotFound(short(what)));
    }
    if status == 404 {
        // Without an error code of AWS's, a 404 is the endpoint saying it has no such operation.
        return Failure::Fatal(SourceError::NotServed {
            service: api.service_name().into(),
            api: api.name().into(),
            status,
        });
    }
    let described = describe(api, code, message, status);
    if status >= 500 || code_str == "ServiceUnavailable" || code_str == "InternalFailure" {
        Failure::Transient(SourceError::Other(described))
    } else {
        Failure::Fatal(SourceError::Other(described))
    }
}

/// "GetMetricData failed: InvalidParameterValue: The value p95 … (HTTP 400)".
fn describe(api: Api, code: Option<&str>, message: Option<&str>, status: u16) -> String {
    let mut s = format!("{} failed: ", api.name());
    match (code, message.filter(|m| !m.is_empty())) {
        (Some(c), Some(m)) => s.push_str(&format!("{c}: {}", short(m))),
        (Some(c), None) => s.push_str(c),
        (None, Some(m)) => s.push_str(&short(m)),
        (None, None) => s.push_str("no error details"),
    }
    s.push_str(&format!(" (HTTP {status})"));
    s
}

fn unreachable(ctx: &ErrorContext, reason: String) -> SourceError {
    SourceError::Unreachable {
        endpoint: ctx.endpoint.clone(),
        reason,
    }
}

fn expired(ctx: &ErrorContext) -> SourceError {
    match &ctx.profile {
        Some(p) => SourceError::SsoExpired { profile: p.clone() },
        None => SourceError::Other(
            "the AWS credentials have expired or are not valid; refresh them (e.g. `aws sso login`) and retry".into(),
        ),
    }
}

fn invalid_credentials(code: &str, ctx: &ErrorContext) -> SourceError {
    let what = if code == "SignatureDoesNotMatch" {
        "the secret key does not match the access key"
    } else {
        "AWS does not know the access key"
    };
    let fix = match &ctx.profile {
        Some(p) => format!("check the keys of profile {p}"),
        None => "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile".into(),
    };
    SourceError::InvalidCredentials {
        reason: format!("{what} ({code}); {fix}"),
    }
}

/// The sources aws-config's default chain tries, in order.
pub const CREDENTIAL_SOURCES: &str = "environment variables, the shared config and credentials files, SSO, web identity token, ECS container and EC2 instance metadata";

/// Credential failures surface as text inside dispatch or construction errors.
pub fn credential_problem(text: &str, ctx: &ErrorContext) -> Option<SourceError> {
    let lower = text.to_ascii_lowercase();
    let sso = lower.contains("sso");
    if sso && (lower.contains("expired") || lower.contains("token")) {
        return Some(SourceError::SsoExpired {
            profile: ctx.profile.clone().unwrap_or_else(|| "default".into()),
        });
    }
    if lower.contains("no credentials")
        || lower.contains("failed to load credentials")
        || lower.contains("credentialsnotloaded")
        || lower.contains("could not load credentials")
        || lower.contains("the credential provider was not enabled")
    {
        return Some(SourceError::NoCredentials {
            tried: CREDENTIAL_SOURCES.into(),
        });
    }
    None
}

/// Retry-After is seconds (Lambda's retry_after_seconds is sent as this header).
fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(300.0)))
}

/// Keeps messages to a status-bar-friendly length, on a char boundary.
fn short(s: &str) -> String {
    const MAX: usize = 200;
    let line = s.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ErrorContext {
        ErrorContext {
            endpoint: "AWS eu-west-1".into(),
            profile: Some("prod".into()),
        }
    }

    #[test]
    fn every_throttling_code_is_a_throttle() {
        for code in [
            "ThrottlingException",
            "Throttling",
            "TooManyRequestsException",
            "ThrottledException",
        ] {
            let f = classify_service(Api::FilterLogEvents, Some(code), None, 400, None, &ctx());
            assert_eq!(f, Failure::Throttled { hint: None }, "{code}");
        }
        let f = classify_service(
            Api::GetTraceSummaries,
            None,
            None,
            429,
            Some(Duration::from_secs(2)),
            &ctx(),
        );
        assert_eq!(
            f,
            Failure::Throttled {
                hint: Some(Duration::from_secs(2))
            }
        );
    }

    #[test]
    fn access_denied_names_the_iam_action() {
        let f = classify_service(
            Api::FilterLogEvents,
            Some("AccessDeniedException"),
            Some("User: x is not authorized"),
            400,
            None,
            &ctx(),
        );
        assert_eq!(
            f,
            Failure::Fatal(SourceError::AccessDenied {
                action: "logs:FilterLogEvents".into()
            })
        );
        let msg = SourceError::AccessDenied {
            action: "logs:FilterLogEvents".into(),
        }
        .to_string();
        assert!(msg.contains("logs:FilterLogEvents"));
    }

    #[test]
    fn expired_token_points_at_sso_login() {
        let f = classify_service(
            Api::ListFunctions,
            Some("ExpiredTokenException"),
            None,
            403,
            None,
            &ctx(),
        );
        let Failure::Fatal(e) = f else {
            panic!("not fatal: {f:?}")
        };
        assert!(
            e.to_string().contains("aws sso login --profile prod"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_access_key_is_invalid_credentials_not_an_expired_session() {
        for code in ["UnrecognizedClientException", "InvalidClientTokenId"] {
            let f = classify_service(
                Api::GetMetricData,
                Some(code),
                Some("The security token included in the request is invalid."),
                400,
                None,
                &ctx(),
            );
            let Failure::Fatal(e) = f else {
                panic!("not fatal: {f:?}")
            };
            assert!(matches!(e, SourceError::InvalidCredentials { .. }), "{e:?}");
            let text = e.to_string();
            assert_eq!(
                text,
                format!(
                    "invalid AWS credentials: AWS does not know the access key ({code}); check the keys of profile prod"
                )
            );
            assert!(!text.contains("sso"), "{text}");
        }
    }

    #[test]
    fn a_404_without_an_aws_code_is_an_operation_the_endpoint_does_not_serve() {
        let f = classify_service(Api::GetMetricData, None, None, 404, None, &ctx());
        let Failure::Fatal(e) = f else {
            panic!("not fatal: {f:?}")
        };
        assert_eq!(
            e.to_string(),
            "this endpoint does not serve CloudWatch GetMetricData (HTTP 404)"
        );
        // A named resource that is missing is still "not found".
        let f = classify_service(
            Api::GetFunction,
            Some("ResourceNotFoundException"),
            Some("Function not found: arn:aws:lambda:…:function:x"),
            404,
            None,
            &ctx(),
        );
        assert!(
            matches!(f, Failure::Fatal(SourceError::NotFound(ref m)) if m.starts_with("Function not found")),
            "{f:?}"
        );
    }

    #[test]
    fn server_errors_are_transient_client_errors_are_not() {
        assert!(matches!(
            classify_service(
                Api::GetMetricData,
                Some("InternalFailure"),
                Some("boom"),
                500,
                None,
                &ctx()
            ),
            Failure::Transient(_)
        ));
        let Failure::Fatal(SourceError::Other(m)) = classify_service(
            Api::GetMetricData,
            Some("InvalidParameterValue"),
            Some("bad stat\nmore"),
            400,
            None,
            &ctx(),
        ) else {
            panic!()
        };
        assert_eq!(
            m,
            "GetMetricData failed: InvalidParameterValue: bad stat (HTTP 400)"
        );
    }

    #[test]
    fn credential_texts_are_recognised() {
        let no = credential_problem(
            "failed to construct request: dispatch failure: no credentials in the property bag",
            &ctx(),
        );
        assert!(matches!(no, Some(SourceError::NoCredentials { .. })));
        let sso = credential_problem(
            "The SSO session associated with this profile has expired or is otherwise invalid",
            &ctx(),
        );
        assert_eq!(
            sso,
            Some(SourceError::SsoExpired {
                profile: "prod".into()
            })
        );
        assert_eq!(credential_problem("connection reset", &ctx()), None);
    }

    #[test]
    fn short_cuts_on_char_boundaries() {
        let long = "é".repeat(500);
        assert_eq!(short(&long).chars().count(), 201);
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
