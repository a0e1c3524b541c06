//! The broker for several machines: Redis. Every change of a task's state
//! is one Lua script, which Redis runs from start to end with no other
//! command in between, so two workers can never both take one task.

use std::collections::HashMap;
use std::time::Duration;

use redis::AsyncTypedCommands as _;
use redis::Script;
use redis::aio::MultiplexedConnection;

use crate::{Broker, Counts, Leased, NewTask, Priority, Progress};

// ANCHOR: common
// Every script starts with this. ARGV[1] is the prefix of the queue's
// keys; the scripts build the keys from it, which is fine on one Redis
// server (a Redis Cluster wants each key passed in KEYS instead).
const COMMON: &str = r"
local p = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function count(state, rank, by)
  redis.call('HINCRBY', p .. ':counts', state .. ':' .. rank, by)
end
-- Does hand-out ARGV[3] of task ARGV[2] still hold a valid lease?
local function holds()
  local task = redis.call('HMGET', p .. ':task:' .. ARGV[2],
                          'state', 'deliveries', 'priority')
  local lease = redis.call('ZSCORE', p .. ':leases', ARGV[2])
  local valid = task[1] == 'running' and task[2] == ARGV[3]
                and lease and tonumber(lease) > now_ms()
  return valid, task[3]
end
";
// ANCHOR_END: common

// ANCHOR: take
const TAKE: &str = r"
local leases = p .. ':leases'
local now = now_ms()
-- Tasks whose lease ran out go back to the front of their queue.
for _, id in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now)) do
  local key = p .. ':task:' .. id
  local rank = redis.call('HGET', key, 'priority')
  redis.call('ZREM', leases, id)
  redis.call('HSET', key, 'state', 'queued')
  redis.call('LPUSH', p .. ':ready:' .. rank, id)
  count('running', rank, -1)
  count('queued', rank, 1)
end
for rank = 0, 2 do
  local id = redis.call('LPOP', p .. ':ready:' .. rank)
  if id then
    local key = p .. ':task:' .. id
    local delivery = redis.call('HINCRBY', key, 'deliveries', 1)
    redis.call('HSET', key, 'state', 'running')
    redis.call('ZADD', leases, now + tonumber(ARGV[2]), id)
    count('queued', rank, -1)
    count('running', rank, 1)
    local task = redis.call('HMGET', key, 'kind', 'payload')
    return {tonumber(id), task[1], task[2], rank, delivery}
  end
end
return false
";
// ANCHOR_END: take

const ENQUEUE: &str = r"
local id = redis.call('INCR', p .. ':next-id')
redis.call('HSET', p .. ':task:' .. id, 'kind', ARGV[2],
           'payload', ARGV[3], 'priority', ARGV[4], 'state', 'queued',
           'deliveries', 0, 'failures', 0)
redis.call('RPUSH', p .. ':ready:' .. ARGV[4], id)
count('queued', ARGV[4], 1)
return id
";

const RENEW: &str = r"
if not holds() then return 0 end
redis.call('ZADD', p .. ':leases', 'XX', now_ms() + tonumber(ARGV[4]),
           ARGV[2])
return 1
";

// ANCHOR: complete
const COMPLETE: &str = r"
local valid, rank = holds()
if not valid then return 0 end
local key = p .. ':task:' .. ARGV[2]
redis.call('HSET', key, 'state', 'done')
redis.call('HINCRBY', key, 'failures', ARGV[5])
redis.call('ZREM', p .. ':leases', ARGV[2])
-- The result is a key of its own, which Redis deletes when it expires.
redis.call('SET', p .. ':result:' .. ARGV[2], ARGV[4], 'PX', ARGV[6])
count('running', rank, -1)
count('done', rank, 1)
count('failed', rank, tonumber(ARGV[5]))
return 1
";
// ANCHOR_END: complete

const BURY: &str = r"
local valid, rank = holds()
if not valid then return 0 end
local key = p .. ':task:' .. ARGV[2]
redis.call('HSET', key, 'state', 'dead', 'error', ARGV[4])
redis.call('HINCRBY', key, 'failures', ARGV[5])
redis.call('ZREM', p .. ':leases', ARGV[2])
redis.call('RPUSH', p .. ':dead', ARGV[2])
count('running', rank, -1)
count('dead', rank, 1)
count('failed', rank, tonumber(ARGV[5]))
return 1
";

const RELEASE: &str = r"
local valid, rank = holds()
if not valid then return 0 end
local key = p .. ':task:' .. ARGV[2]
redis.call('HSET', key, 'state', 'queued')
redis.call('HINCRBY', key, 'deliveries', -1)
redis.call('ZREM', p .. ':leases', ARGV[2])
redis.call('LPUSH', p .. ':ready:' .. rank, ARGV[2])
count('running', rank, -1)
count('queued', rank, 1)
return 1
";

const DEAD_LETTERS: &str = r"
local dead = {}
for _, id in ipairs(redis.call('LRANGE', p .. ':dead', 0, -1)) do
  local why = redis.call('HGET', p .. ':task:' .. id, 'error')
  table.insert(dead, {tonumber(id), why})
end
return dead
";

struct Scripts {
    enqueue: Script,
    take: Script,
    renew: Script,
    complete: Script,
    bury: Script,
    release: Script,
    dead_letters: Script,
}

pub struct RedisBroker {
    // Clones share one connection; no command here blocks, so sharing it
    // stalls no one (see "PostgreSQL and Redis" on BLPOP).
    conn: MultiplexedConnection,
    prefix: String,
    scripts: Scripts,
}

impl RedisBroker {
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let conn = client.get_multiplexed_async_connection().await?;
        let script = |body: &str| Script::new(&format!("{COMMON}{body}"));
        let scripts = Scripts {
            enqueue: script(ENQUEUE),
            take: script(TAKE),
            renew: script(RENEW),
            complete: script(COMPLETE),
            bury: script(BURY),
            release: script(RELEASE),
            dead_letters: script(DEAD_LETTERS),
        };
        let prefix = prefix.to_string();
        Ok(RedisBroker {
            conn,
            prefix,
            scripts,
        })
    }

    fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }
}

/// Milliseconds, at least one: Redis refuses a `PX` of zero.
fn ms(duration: Duration) -> u64 {
    (duration.as_millis() as u64).max(1)
}

impl Broker for RedisBroker {
    async fn enqueue(&self, task: NewTask) -> anyhow::Result<u64> {
        let id = self
            .scripts
            .enqueue
            .arg(&self.prefix)
            .arg(task.kind)
            .arg(task.payload)
            .arg(task.priority.rank())
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(id)
    }

    // ANCHOR: take_fn
    async fn take(&self, lease: Duration) -> anyhow::Result<Option<Leased>> {
        let taken: Option<(u64, String, String, u8, u32)> = self
            .scripts
            .take
            .arg(&self.prefix)
            .arg(lease.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await?;
        let Some((id, kind, payload, rank, delivery)) = taken else {
            return Ok(None);
        };
        let priority = Priority::from_rank(rank)?;
        Ok(Some(Leased {
            id,
            kind,
            payload,
            priority,
            delivery,
        }))
    }
    // ANCHOR_END: take_fn

    async fn renew(
        &self,
        task: &Leased,
        lease: Duration,
    ) -> anyhow::Result<bool> {
        let renewed: u8 = self
            .scripts
            .renew
            .arg(&self.prefix)
            .arg(task.id)
            .arg(task.delivery)
            .arg(lease.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(renewed == 1)
    }

    async fn complete(
        &self,
        task: &Leased,
        result: &str,
        failures: u32,
        keep: Duration,
    ) -> anyhow::Result<bool> {
        let completed: u8 = self
            .scripts
            .complete
            .arg(&self.prefix)
            .arg(task.id)
            .arg(task.delivery)
            .arg(result)
            .arg(failures)
            .arg(ms(keep))
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(completed == 1)
    }

    async fn bury(
        &self,
        task: &Leased,
        reason: &str,
        failures: u32,
    ) -> anyhow::Result<bool> {
        let buried: u8 = self
            .scripts
            .bury
            .arg(&self.prefix)
            .arg(task.id)
            .arg(task.delivery)
            .arg(reason)
            .arg(failures)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(buried == 1)
    }

    async fn release(&self, task: &Leased) -> anyhow::Result<bool> {
        let released: u8 = self
            .scripts
            .release
            .arg(&self.prefix)
            .arg(task.id)
            .arg(task.delivery)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(released == 1)
    }

    async fn result(&self, id: u64) -> anyhow::Result<Option<String>> {
        let key = self.key(&format!("result:{id}"));
        Ok(self.conn.clone().get(key).await?)
    }

    async fn dead_letters(&self) -> anyhow::Result<Vec<(u64, String)>> {
        let mut dead: Vec<(u64, String)> = self
            .scripts
            .dead_letters
            .arg(&self.prefix)
            .invoke_async(&mut self.conn.clone())
            .await?;
        dead.sort(); // in the order they were enqueued, as SQLite's
        Ok(dead)
    }

    async fn progress(&self) -> anyhow::Result<Progress> {
        let counts: HashMap<String, String> =
            self.conn.clone().hgetall(self.key("counts")).await?;
        let count = |state: &str, priority: Priority| {
            let field = format!("{state}:{}", priority.rank());
            let value = counts.get(&field).map(|v| v.parse::<u64>());
            value.unwrap_or(Ok(0))
        };
        let mut progress = Priority::ALL.map(|p| (p, Counts::default()));
        for (priority, counts) in &mut progress {
            *counts = Counts {
                queued: count("queued", *priority)?,
                running: count("running", *priority)?,
                done: count("done", *priority)?,
                failed: count("failed", *priority)?,
                dead: count("dead", *priority)?,
            };
        }
        Ok(progress)
    }
}
