//! AWS IAM: policy documents, condition keys, the evaluation logic, what actions mean per kind of
//! resource, and the known privilege-escalation methods.

pub mod catalog;
pub mod condition;
pub mod escalation;
pub mod eval;
pub mod policy;

pub use eval::{
    allowed, evaluate, Boundary, Cite, Decision, Identity, Principal, PrincipalKind, ResourceMode, ResourceRef, Source,
    Target,
};
pub use policy::{Effect, Policy, PolicyError};

/// The account id in an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let acct = arn.split(':').nth(4)?;
    (!acct.is_empty()).then_some(acct)
}

/// The service of an action (`s3:GetObject` → `s3`).
pub fn action_service(action: &str) -> &str {
    action.split(':').next().unwrap_or(action)
}

#[cfg(test)]
mod tests {
    #[test]
    fn arn_parts() {
        assert_eq!(super::arn_account("arn:aws:iam::111122223333:role/x"), Some("111122223333"));
        assert_eq!(super::arn_account("arn:aws:s3:::bucket"), None);
        assert_eq!(super::arn_account("nonsense"), None);
        assert_eq!(super::action_service("s3:GetObject"), "s3");
    }
}
