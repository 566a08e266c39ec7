//! Live AWS collection (issue: AWS). Reads accounts, regions and services through the AWS SDK for
//! Rust and emits canonical resources. Every call that fails is recorded as an issue with its
//! account, region, service and operation; an attribute that could not be read is left out (so rules
//! on it are unknown), and an account with a failed listing is not claimed as fully covered.

mod collect;
mod error;
mod import;
mod out;
pub use posture_aws_policy as policy;
mod services;
mod session;

pub use collect::{collect, AwsOptions, CollectReport};
pub use error::{Failure, FailureKind};
pub use import::{import_aws_config, ImportError, ImportReport};
pub use out::Issue;
pub use services::Service;
