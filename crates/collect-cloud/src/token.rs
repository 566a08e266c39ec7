//! A bearer token kept until shortly before it expires, shared by the Azure and GCP credentials.

use crate::Failure;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Tokens are renewed when less than this is left of their lifetime.
const MARGIN: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct TokenCache {
    cached: Mutex<Option<(String, Instant)>>,
}

impl TokenCache {
    /// The cached token, or a new one from `fetch` (token and lifetime). Concurrent callers wait
    /// for one fetch instead of each asking for a token.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<String, Failure>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Duration), Failure>>,
    {
        let mut cached = self.cached.lock().await;
        if let Some((t, until)) = cached.as_ref() {
            if Instant::now() + MARGIN < *until {
                return Ok(t.clone());
            }
        }
        let (token, lifetime) = fetch().await?;
        *cached = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_token_is_reused_until_its_lifetime_runs_short() {
        let cache = TokenCache::default();
        let long = cache.get(|| async { Ok(("a".to_string(), Duration::from_secs(3600))) }).await;
        let again = cache.get(|| async { Ok(("b".to_string(), Duration::from_secs(3600))) }).await;
        assert_eq!((long.unwrap(), again.unwrap()), ("a".to_string(), "a".to_string()));
        let short = TokenCache::default();
        let first = short.get(|| async { Ok(("c".to_string(), Duration::from_secs(60))) }).await.unwrap();
        let renewed = short.get(|| async { Ok(("d".to_string(), Duration::from_secs(60))) }).await.unwrap();
        assert_eq!((first, renewed), ("c".to_string(), "d".to_string()));
        let failed = TokenCache::default().get(|| async { Err(Failure::other("denied")) }).await;
        assert!(failed.is_err());
    }
}
