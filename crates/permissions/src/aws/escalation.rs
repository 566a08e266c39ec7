//! The known AWS privilege-escalation methods (Rhino Security Labs' list, as PMapper and
//! Cartography model them): what each needs and what it yields.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Write a new default version of a policy attached to yourself.
    CreatePolicyVersion,
    /// Make an existing, more powerful version of your policy the default.
    SetDefaultPolicyVersion,
    /// Launch an instance with a role you may pass, then use its credentials.
    PassRoleRunInstances,
    /// Create (and invoke) a function running as a role you may pass.
    PassRoleCreateFunction,
    /// Create a stack whose template runs as a role you may pass.
    PassRoleCreateStack,
    AttachUserPolicy,
    AttachGroupPolicy,
    AttachRolePolicy,
    PutUserPolicy,
    PutGroupPolicy,
    PutRolePolicy,
    /// Join a group with more permissions.
    AddUserToGroup,
    /// Create access keys for another user and act as them.
    CreateAccessKey,
    /// Give another user a console password.
    CreateLoginProfile,
    /// Reset another user's console password.
    UpdateLoginProfile,
    /// Rewrite a role's trust policy to trust yourself, then assume it.
    UpdateAssumeRolePolicy,
    /// Replace the code of a function that runs as a stronger role.
    UpdateFunctionCode,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::CreatePolicyVersion => "iam:CreatePolicyVersion",
            Method::SetDefaultPolicyVersion => "iam:SetDefaultPolicyVersion",
            Method::PassRoleRunInstances => "iam:PassRole + ec2:RunInstances",
            Method::PassRoleCreateFunction => "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction",
            Method::PassRoleCreateStack => "iam:PassRole + cloudformation:CreateStack",
            Method::AttachUserPolicy => "iam:AttachUserPolicy",
            Method::AttachGroupPolicy => "iam:AttachGroupPolicy",
            Method::AttachRolePolicy => "iam:AttachRolePolicy",
            Method::PutUserPolicy => "iam:PutUserPolicy",
            Method::PutGroupPolicy => "iam:PutGroupPolicy",
            Method::PutRolePolicy => "iam:PutRolePolicy",
            Method::AddUserToGroup => "iam:AddUserToGroup",
            Method::CreateAccessKey => "iam:CreateAccessKey",
            Method::CreateLoginProfile => "iam:CreateLoginProfile",
            Method::UpdateLoginProfile => "iam:UpdateLoginProfile",
            Method::UpdateAssumeRolePolicy => "iam:UpdateAssumeRolePolicy",
            Method::UpdateFunctionCode => "lambda:UpdateFunctionCode",
        }
    }

    /// The fix, in words.
    pub fn remedy(self) -> &'static str {
        match self {
            Method::CreatePolicyVersion => "remove iam:CreatePolicyVersion on policies attached to this identity",
            Method::SetDefaultPolicyVersion => {
                "delete the non-default policy versions that grant more, or remove iam:SetDefaultPolicyVersion"
            }
            Method::PassRoleRunInstances | Method::PassRoleCreateFunction | Method::PassRoleCreateStack => {
                "scope iam:PassRole to the roles this identity must pass (Resource and iam:PassedToService)"
            }
            Method::AttachUserPolicy | Method::AttachGroupPolicy | Method::AttachRolePolicy => {
                "remove the iam:Attach*Policy permission or restrict it with a permissions boundary"
            }
            Method::PutUserPolicy | Method::PutGroupPolicy | Method::PutRolePolicy => {
                "remove the iam:Put*Policy permission or restrict it with a permissions boundary"
            }
            Method::AddUserToGroup => "remove iam:AddUserToGroup or scope it to harmless groups",
            Method::CreateAccessKey | Method::CreateLoginProfile | Method::UpdateLoginProfile => {
                "scope the credential actions to the identity's own user (${aws:username})"
            }
            Method::UpdateAssumeRolePolicy => "remove iam:UpdateAssumeRolePolicy on this role",
            Method::UpdateFunctionCode => "remove lambda:UpdateFunctionCode on functions with stronger roles",
        }
    }
}
