//! The audit lock: one object in the data directory (`audits/lock.json`), created only if
//! absent (a hard link on this machine, a conditional PUT on S3), so two scheduled runs
//! never interleave. The holder renews it every minute; a lock not renewed for the stale
//! age, or held by a process of this machine that is gone (`kill -9`), is taken over and
//! the taker says so.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::{DataStore, StoreError};

pub const LOCK_FILE: &str = "audits/lock.json";
/// How often the holder renews the lock.
pub const RENEW_EVERY: Duration = Duration::from_secs(60);

/// What the lock file says about its holder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    /// Unique per acquisition: only the holder that wrote it releases it.
    pub token: String,
    pub host: String,
    pub pid: u32,
    pub started_at: DateTime<Utc>,
    pub renewed_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another audit holds the lock {where_}: process {pid} on {host}, started {started}, renewed {renewed}; it is stale after {stale_minutes} minutes without renewal"
    )]
    Held {
        where_: String,
        pid: u32,
        host: String,
        started: String,
        renewed: String,
        stale_minutes: u32,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A held lock; [`AuditLock::release`] gives it up (a holder that dies leaves it to go stale).
pub struct AuditLock {
    store: DataStore,
    holder: Holder,
    /// Set when a stale lock was taken over: whose it was.
    pub took_over: Option<Holder>,
    renewer: Option<tokio::task::JoinHandle<()>>,
}

/// This machine's name, as the lock records it.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

/// Whether process `pid` of this machine is gone (only where /proc tells; elsewhere the
/// age alone decides).
fn process_gone(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

impl Holder {
    fn stale(&self, now: DateTime<Utc>, stale_after: chrono::Duration) -> bool {
        now - self.renewed_at > stale_after || (self.host == host_name() && process_gone(self.pid))
    }
}

impl AuditLock {
    /// Takes the lock, or says who holds it.
    pub async fn acquire(store: &DataStore, stale_minutes: u32) -> Result<Self, LockError> {
        let now = Utc::now();
        let holder = Holder {
            token: format!(
                "{}-{}-{}",
                host_name(),
                std::process::id(),
                now.timestamp_nanos_opt().unwrap_or_default()
            ),
            host: host_name(),
            pid: std::process::id(),
            started_at: now,
            renewed_at: now,
        };
        let bytes = serde_json::to_vec_pretty(&holder).expect("a holder serializes");
        let mut took_over = None;
        if !store.create_new(LOCK_FILE, bytes.clone()).await? {
            let current = read_holder(store).await?;
            let stale_after = chrono::Duration::minutes(i64::from(stale_minutes));
            match current {
                Some(h) if !h.stale(now, stale_after) => {
                    return Err(LockError::Held {
                        where_: store.display(LOCK_FILE),
                        pid: h.pid,
                        host: h.host,
                        started: h.started_at.to_rfc3339(),
                        renewed: h.renewed_at.to_rfc3339(),
                        stale_minutes,
                    });
                }
                stale => {
                    // Stale (or unreadable, or gone between the two reads): delete it and
                    // create ours; if another taker created one first, theirs stands.
                    store.delete(LOCK_FILE).await?;
                    if !store.create_new(LOCK_FILE, bytes).await? {
                        let h = read_holder(store).await?;
                        return Err(LockError::Held {
                            where_: store.display(LOCK_FILE),
                            pid: h.as_ref().map_or(0, |h| h.pid),
                            host: h.as_ref().map_or_else(String::new, |h| h.host.clone()),
                            started: h
                                .as_ref()
                                .map_or_else(String::new, |h| h.started_at.to_rfc3339()),
                            renewed: h
                                .as_ref()
                                .map_or_else(String::new, |h| h.renewed_at.to_rfc3339()),
                            stale_minutes,
                        });
                    }
                    took_over = stale;
                }
            }
        }
        let renewer = {
            let (store, mut holder) = (store.clone(), holder.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(RENEW_EVERY).await;
                    holder.renewed_at = Utc::now();
                    let bytes = serde_json::to_vec_pretty(&holder).expect("a holder serializes");
                    // Renew only our own lock: one taken over from us stays the taker's.
                    if matches!(read_holder(&store).await, Ok(Some(h)) if h.token == holder.token) {
                        let _ = store.put(LOCK_FILE, bytes).await;
                    } else {
                        return;
                    }
                }
            })
        };
        Ok(Self {
            store: store.clone(),
            holder,
            took_over,
            renewer: Some(renewer),
        })
    }

    /// Gives the lock up, if it is still ours.
    pub async fn release(mut self) -> Result<(), StoreError> {
        if let Some(r) = self.renewer.take() {
            r.abort();
        }
        if matches!(read_holder(&self.store).await?, Some(h) if h.token == self.holder.token) {
            self.store.delete(LOCK_FILE).await?;
        }
        Ok(())
    }
}

impl Drop for AuditLock {
    fn drop(&mut self) {
        if let Some(r) = self.renewer.take() {
            r.abort();
        }
    }
}

async fn read_holder(store: &DataStore) -> Result<Option<Holder>, StoreError> {
    Ok(store
        .get(LOCK_FILE)
        .await?
        .and_then(|b| serde_json::from_slice(&b).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_taker_is_refused_until_the_first_releases() {
        let dir = tempfile::tempdir().unwrap();
        let store = DataStore::local(dir.path()).unwrap();
        let first = AuditLock::acquire(&store, 15).await.unwrap();
        assert!(first.took_over.is_none());
        let refused = AuditLock::acquire(&store, 15).await.err().unwrap();
        assert!(
            matches!(&refused, LockError::Held { pid, .. } if *pid == std::process::id()),
            "{refused}"
        );
        assert!(refused.to_string().contains("another audit holds the lock"));
        first.release().await.unwrap();
        assert!(!store.exists(LOCK_FILE).await);
        let again = AuditLock::acquire(&store, 15).await.unwrap();
        assert!(again.took_over.is_none());
        again.release().await.unwrap();
    }

    #[tokio::test]
    async fn a_lock_not_renewed_or_of_a_gone_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = DataStore::local(dir.path()).unwrap();
        let old = Utc::now() - chrono::Duration::minutes(20);
        let abandoned = Holder {
            token: "elsewhere-1-1".into(),
            host: "another-machine".into(),
            pid: 1,
            started_at: old,
            renewed_at: old,
        };
        store
            .put(LOCK_FILE, serde_json::to_vec(&abandoned).unwrap())
            .await
            .unwrap();
        // Renewed 20 minutes ago: held under a 30-minute stale age, stale under 15.
        assert!(AuditLock::acquire(&store, 30).await.is_err());
        let lock = AuditLock::acquire(&store, 15).await.unwrap();
        assert_eq!(lock.took_over.as_ref(), Some(&abandoned));
        lock.release().await.unwrap();

        // Renewed just now, but by a process of this machine that no longer exists.
        let now = Utc::now();
        let dead = Holder {
            token: "here-dead".into(),
            host: host_name(),
            pid: u32::MAX - 1,
            started_at: now,
            renewed_at: now,
        };
        store
            .put(LOCK_FILE, serde_json::to_vec(&dead).unwrap())
            .await
            .unwrap();
        let lock = AuditLock::acquire(&store, 15).await.unwrap();
        assert_eq!(lock.took_over.as_ref().map(|h| h.pid), Some(u32::MAX - 1));
        lock.release().await.unwrap();
    }
}
