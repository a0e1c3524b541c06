//! The crawl's state in SQLite: every URL seen, and what each one gave.

use std::path::Path;

use tokio_rusqlite::Connection;
use url::Url;

use crate::fetch::Fetched;

/// The database of a crawl. A row per URL seen; `fetched = 0` means it
/// is still to be fetched, so the table is the frontier too.
pub struct Store {
    db: Connection,
}

/// What was in the database when the crawl started.
pub struct Resumed {
    pub seen: Vec<Url>,
    pub to_fetch: Vec<Url>,
}

// ANCHOR: open
impl Store {
    pub async fn open(path: &Path, start: &Url) -> anyhow::Result<Store> {
        let db = Connection::open(path).await?;
        let start = start.to_string();
        db.call(move |db| {
            db.execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS pages (
                     url     TEXT PRIMARY KEY,
                     fetched INTEGER NOT NULL DEFAULT 0,
                     status  INTEGER,
                     title   TEXT,
                     links   TEXT,  -- one URL a line
                     error   TEXT
                 );",
            )?;
            // A first run starts here; a later one finds it there already.
            db.execute("INSERT OR IGNORE INTO pages (url) VALUES (?1)", [start])
        })
        .await?;
        Ok(Store { db })
    }

    // ANCHOR_END: open
    // ANCHOR: resume
    /// Every URL seen so far, and those still to fetch, oldest first.
    pub async fn resume(&self) -> anyhow::Result<Resumed> {
        let rows: Vec<(String, bool)> = self
            .db
            .call(|db| {
                let mut select = db
                    .prepare("SELECT url, fetched FROM pages ORDER BY rowid")?;
                let rows = select
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
                rows.collect()
            })
            .await?;
        let mut resumed = Resumed {
            seen: vec![],
            to_fetch: vec![],
        };
        for (url, fetched) in rows {
            let url = Url::parse(&url)?;
            if !fetched {
                resumed.to_fetch.push(url.clone());
            }
            resumed.seen.push(url);
        }
        Ok(resumed)
    }

    /// Closes the database, waiting until SQLite has let go of the file.
    pub async fn close(self) -> anyhow::Result<()> {
        self.db.close().await?;
        Ok(())
    }
}
// ANCHOR_END: resume

// ANCHOR: save
impl Store {
    /// Saves what `url` gave and the new URLs it led to, in one
    /// transaction: a crash leaves both saved or neither.
    pub async fn save(
        &self,
        url: &Url,
        fetched: &Fetched,
        new: &[Url],
    ) -> anyhow::Result<()> {
        let url = url.to_string();
        let links: Vec<&str> = fetched.links.iter().map(Url::as_str).collect();
        let links = links.join("\n");
        let (status, title) = (fetched.status, fetched.title.clone());
        let error = fetched.error.clone();
        let new: Vec<String> = new.iter().map(Url::to_string).collect();
        self.db
            .call(move |db| {
                let transaction = db.transaction()?;
                transaction.execute(
                    "UPDATE pages SET fetched = 1, status = ?2, title = ?3,
                     links = ?4, error = ?5 WHERE url = ?1",
                    (url, status, title, links, error),
                )?;
                for link in new {
                    transaction.execute(
                        "INSERT OR IGNORE INTO pages (url) VALUES (?1)",
                        [link],
                    )?;
                }
                transaction.commit()
            })
            .await?;
        Ok(())
    }
}
// ANCHOR_END: save
