//! The sources of data: the AWS backend against the emulator and against mocks, its credentials,
//! the demo account as an oracle, the Source contract both honour, what a shift costs on AWS, and
//! the parsers' fuzz corpora.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

// The fuzz targets' `use libfuzzer_sys::…`, on stable: see fuzz/shim.
extern crate lambdascope_fuzz_shim as libfuzzer_sys;

/// A client of `$krate` answered only by `$rules`, in `$region` (eu-west-1 unless named); SDK
/// retries off (the source retries itself).
#[cfg(feature = "aws")]
macro_rules! mocked {
    ($krate:ident, $rules:expr) => {
        mocked!($krate, $rules, "eu-west-1")
    };
    ($krate:ident, $rules:expr, $region:expr) => {{
        let mut interceptor = aws_smithy_mocks::MockResponseInterceptor::new()
            .rule_mode(aws_smithy_mocks::RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        let conf = $krate::Config::builder()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .region($krate::config::Region::new($region))
            .credentials_provider($krate::config::Credentials::new(
                "a", "b", None, None, "mock",
            ))
            .retry_config($krate::config::retry::RetryConfig::disabled())
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(interceptor)
            .build();
        $krate::Client::from_conf(conf)
    }};
}

mod aws_credentials;
mod aws_emulator;
mod aws_mocks;
mod contract;
mod corpora;
mod cost;
mod demo_consistency;
