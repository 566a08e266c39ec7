//! What went wrong with an AWS call, in the few classes that decide what a scan records.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Denied,
    Throttled,
    Timeout,
    Unreachable,
    NotFound,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub code: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

const DENIED: &[&str] = &[
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired",
    "UnauthorizedAccess", "SignatureDoesNotMatch", "ExpiredToken", "AccountNotInOrganization",
];
const THROTTLED: &[&str] = &[
    "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
    "SlowDown", "RequestThrottled", "ProvisionedThroughputExceededException", "PriorRequestNotComplete",
];

impl Failure {
    pub fn from_sdk<E, R>(err: &SdkError<E, R>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let code = err.code().map(str::to_string);
        let kind = match (err, code.as_deref()) {
            (SdkError::TimeoutError(_), _) => FailureKind::Timeout,
            (SdkError::DispatchFailure(d), _) if d.is_timeout() => FailureKind::Timeout,
            (SdkError::DispatchFailure(_), _) => FailureKind::Unreachable,
            (_, Some(c)) if DENIED.contains(&c) => FailureKind::Denied,
            (_, Some(c)) if THROTTLED.contains(&c) => FailureKind::Throttled,
            (_, Some(c)) if c.starts_with("NoSuch") || c.ends_with("NotFound") || c.ends_with("NotFoundException") || c.ends_with("NotFoundError") => {
                FailureKind::NotFound
            }
            _ => FailureKind::Other,
        };
        let message = err.message().map(str::to_string).unwrap_or_else(|| short_context(err));
        Failure { kind, code, message }
    }

    /// A problem found in an answer that did arrive (a document that does not parse, …).
    pub fn other(message: impl Into<String>) -> Failure {
        Failure { kind: FailureKind::Other, code: None, message: message.into() }
    }

    /// A "not configured" answer: the setting is known to be unset.
    pub fn is_absent_setting(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|c| codes.contains(&c))
    }
}

/// The error chain without the raw response dump the SDK appends (it can hold kilobytes of body).
fn short_context(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    let mut text = parts.join(": ");
    if text.len() > 300 {
        let cut = (0..=300).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    text
}
