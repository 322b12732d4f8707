//! No credentials anywhere: connect() fails up front and says what was tried and what to do.
//! The test runs again in a child process of its own without the AWS_* environment, because
//! the other tests of this binary share the process's environment.
#![cfg(feature = "aws")]

use lambdascope::domain::SourceError;
use lambdascope::source::aws::{AwsOptions, AwsSource};

#[test]
#[allow(deprecated)] // ProfileFiles: its replacement lives in aws-runtime, not a dependency of ours
fn connect_without_credentials_says_what_to_do() {
    const CHILD: &str = "LAMBDASCOPE_TEST_NO_CREDENTIALS";
    if std::env::var_os(CHILD).is_none() {
        let name = concat!(
            module_path!(),
            "::connect_without_credentials_says_what_to_do"
        );
        let name = name.split_once("::").map_or(name, |(_, test)| test);
        let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"));
        child
            .args(["--exact", name, "--test-threads=1"])
            .env(CHILD, "1");
        for var in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_ENDPOINT_URL",
        ] {
            child.env_remove(var);
        }
        let out = child
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let empty =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("aws-credentials-test-empty");
    std::fs::write(&empty, "").expect("empty profile file");
    let loader = || {
        use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
        let files = ProfileFiles::builder()
            .with_file(ProfileFileKind::Credentials, &empty)
            .with_file(ProfileFileKind::Config, &empty)
            .build();
        aws_config::defaults(aws_config::BehaviorVersion::latest()).profile_files(files)
    };
    for profile in [None, Some("ghost".to_string())] {
        let opts = AwsOptions {
            profile,
            region: Some("eu-west-1".into()),
            endpoint_url: None,
            timeout: None,
        };
        let err = rt
            .block_on(AwsSource::connect_with(&opts, loader()))
            .expect_err("no credentials anywhere");
        assert!(matches!(err, SourceError::NoCredentials { .. }), "{err:?}");
        let text = err.to_string();
        for hint in [
            "environment variables",
            "SSO",
            "instance metadata",
            "aws configure",
            "aws sso login",
            "--demo",
        ] {
            assert!(text.contains(hint), "{hint:?} missing from: {text}");
        }
    }
}
