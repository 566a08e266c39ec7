//! Inline policies of users, roles and groups with their documents, normalised by the shared
//! policy crate. Shared by the live collector and the AWS Config importer.

use crate::error::Failure;
use serde_json::{json, Value};
use std::future::Future;

/// One `{policy_name, document}` entry from a document as IAM returns it (URL-encoded or not).
pub(crate) fn entry(name: &str, text: &str) -> Result<Value, String> {
    crate::policy::parse_policy(text)
        .map(|doc| json!({"policy_name": name, "document": doc}))
        .map_err(|e| format!("inline policy {name}: {e}"))
}

/// Reads the document of every name with `fetch` (one call at a time: IAM throttles hard). The
/// list is all or nothing: one document that could not be read or parsed makes the whole
/// attribute unknown (the error names the failed call), since a partial list would pass for all.
pub(crate) async fn documents<F, Fut>(names: &[String], fetch: F) -> Result<Value, Failure>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<String, Failure>>,
{
    let mut list = Vec::with_capacity(names.len());
    for name in names {
        let text = fetch(name.clone()).await?;
        list.push(entry(name, &text).map_err(Failure::other)?);
    }
    Ok(Value::Array(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_are_normalised() {
        let text = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%7D";
        let v = entry("read", text).unwrap();
        assert_eq!(v["policy_name"], "read");
        assert_eq!(v["document"]["version"], "2012-10-17");
        assert_eq!(v["document"]["statements"][0]["actions"], json!(["s3:GetObject"]));
        assert_eq!(v["document"]["statements"][0]["resources"], json!(["*"]));
    }

    #[test]
    fn a_document_that_does_not_parse_is_an_error() {
        assert!(entry("bad", "{not json").unwrap_err().contains("inline policy bad"));
    }

    #[tokio::test]
    async fn one_unreadable_document_makes_the_list_unknown() {
        let names = vec!["a".to_string(), "b".to_string()];
        let ok = documents(&names, |_| async { Ok(r#"{"Statement":[]}"#.to_string()) }).await.unwrap();
        assert_eq!(ok.as_array().map(Vec::len), Some(2));
        let failed = documents(&names, |n| async move {
            if n == "b" { Err(Failure::other("denied")) } else { Ok(r#"{"Statement":[]}"#.to_string()) }
        })
        .await;
        assert_eq!(failed.unwrap_err().message, "denied");
    }
}
