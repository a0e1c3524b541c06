//! Several servers, one Redis: Redis keeps the accounts, the sessions and
//! every room's history, and carries each room's events to every server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncTypedCommands as _;
use redis::aio::{MultiplexedConnection, PubSub};
use redis::{Client, Script};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::store::{DbResult, Said};
use crate::{Event, Hub, ROOMS};

/// How many messages of each room Redis keeps; a joiner gets the last 50.
pub const KEPT: usize = 1000;
/// How long a session token can be used to resume.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// The first wait before subscribing again, and the longest.
pub const RETRY_FIRST: Duration = Duration::from_millis(500);
pub const RETRY_MAX: Duration = Duration::from_secs(5);

/// The channel of a room; its counter and history have it as prefix.
fn channel(room: &str) -> String {
    format!("chat:room:{room}")
}

// ANCHOR: say_script
/// Numbers a message, keeps it, and only then publishes it. Redis runs a
/// script whole, with no other command in between, so a message is in the
/// history before anyone hears it, and each room's messages are published
/// in the order of their ids.
const SAY: &str = r"
local id = redis.call('INCR', KEYS[1])
local said = cjson.encode({id = id, name = ARGV[2], text = ARGV[3]})
redis.call('ZADD', KEYS[2], id, said)
-- Keeps the newest ARGV[4] messages: ranks count from the lowest id.
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -1 - tonumber(ARGV[4]))
local event = cjson.encode({type = 'message', id = id, room = ARGV[1],
                            name = ARGV[2], text = ARGV[3]})
redis.call('PUBLISH', 'chat:room:' .. ARGV[1], event)
return id
";
// ANCHOR_END: say_script

/// A handle on Redis: clones share one connection for commands. The
/// subscription needs a connection of its own (see `subscribe`).
#[derive(Clone)]
pub struct Redis {
    // Behind an `Arc`, a clone is cheap.
    client: Arc<Client>,
    db: MultiplexedConnection,
    say: Arc<Script>,
}

impl Redis {
    pub async fn connect(url: &str) -> anyhow::Result<Redis> {
        let client = Client::open(url)?;
        let db = client.get_multiplexed_async_connection().await?;
        let (client, say) = (Arc::new(client), Arc::new(Script::new(SAY)));
        Ok(Redis { client, db, say })
    }

    // ANCHOR: accounts
    pub async fn hash_of(&self, name: &str) -> DbResult<Option<String>> {
        Ok(self.db.clone().hget("chat:accounts", name).await?)
    }

    /// `HSETNX` sets the field only if it is not there, in one command:
    /// of two servers that make the same account at once, one wins.
    pub async fn add_user(&self, name: &str, hash: &str) -> DbResult<bool> {
        Ok(self.db.clone().hset_nx("chat:accounts", name, hash).await?)
    }

    pub async fn open_session(&self, token: &str, name: &str) -> DbResult<()> {
        let key = format!("chat:session:{token}");
        let lifetime = SESSION_LIFETIME.as_secs();
        self.db.clone().set_ex(key, name, lifetime).await?;
        Ok(())
    }

    pub async fn session(&self, token: &str) -> DbResult<Option<String>> {
        let key = format!("chat:session:{token}");
        Ok(self.db.clone().get(key).await?)
    }
    // ANCHOR_END: accounts

    // ANCHOR: say
    /// Saves and publishes a message; returns its id.
    pub async fn say(
        &self,
        room: &str,
        name: &str,
        text: &str,
    ) -> DbResult<i64> {
        let room_key = channel(room);
        let id = self
            .say
            .key(format!("{room_key}:next"))
            .key(format!("{room_key}:history"))
            .arg(room)
            .arg(name)
            .arg(text)
            .arg(KEPT)
            .invoke_async(&mut self.db.clone())
            .await?;
        Ok(id)
    }
    // ANCHOR_END: say

    // ANCHOR: history
    /// The last `count` messages of a room, oldest first.
    pub async fn history(
        &self,
        room: &str,
        count: usize,
    ) -> DbResult<Vec<Said>> {
        let key = format!("{}:history", channel(room));
        // Ranks from the end: -1 is the newest.
        let mut db = self.db.clone();
        parse(db.zrange(key, -(count as isize), -1).await?)
    }

    /// The messages of a room with ids from `after + 1` to `until`.
    async fn between(
        &self,
        room: &str,
        after: i64,
        until: i64,
    ) -> DbResult<Vec<Said>> {
        let key = format!("{}:history", channel(room));
        // A `(` before a score leaves that score out.
        let mut db = self.db.clone();
        parse(db.zrangebyscore(key, format!("({after}"), until).await?)
    }
    // ANCHOR_END: history

    /// The id of the newest message of every room, 0 for a room without.
    async fn last_ids(&self) -> DbResult<HashMap<String, i64>> {
        let mut last_ids = HashMap::new();
        for room in ROOMS {
            let counter = format!("{}:next", channel(room));
            let counted = self.db.clone().get(counter).await?;
            let last = counted.map_or(Ok(0), |id| id.parse())?;
            last_ids.insert(room.to_string(), last);
        }
        Ok(last_ids)
    }

    // ANCHOR: subscribe
    /// A connection that subscribes can send nothing but (un)subscribe
    /// and ping, so it is a connection of its own.
    async fn subscribe(&self) -> DbResult<PubSub> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        let channels: Vec<String> = ROOMS.iter().map(|r| channel(r)).collect();
        pubsub.subscribe(channels).await?;
        Ok(pubsub)
    }
    // ANCHOR_END: subscribe

    // ANCHOR: notices
    /// Publishes the joined and left notices the hub hands over, in the
    /// order it does. They are not numbered or kept: a server that misses
    /// one misses nothing it could show later.
    pub async fn publish(self, mut notices: mpsc::UnboundedReceiver<Notice>) {
        while let Some((room, event)) = notices.recv().await {
            let event = serde_json::to_string(&event).unwrap();
            if let Err(error) =
                self.db.clone().publish(channel(&room), event).await
            {
                eprintln!("a notice to {room} was lost: {error}");
            }
        }
    }
    // ANCHOR_END: notices
}

/// A room, and a joined or left notice for it.
pub type Notice = (String, Event);

fn parse(said: Vec<String>) -> DbResult<Vec<Said>> {
    let parsed = said.iter().map(|said| serde_json::from_str(said));
    Ok(parsed.collect::<Result<_, _>>()?)
}

// ANCHOR: listener
/// Hands what this server hears from Redis to its members. Pub/sub
/// delivers each message at most once: a message published while the
/// subscription is down never arrives. So the listener notes the last id
/// it handed over in every room, and takes what it missed from the
/// history, which is what every server trusts.
pub struct Listener {
    redis: Redis,
    hub: Hub,
    /// The lock that a joiner holds while it reads the history and enters
    /// the room: no message is handed over meanwhile.
    order: Arc<tokio::sync::Mutex<()>>,
    delivered: HashMap<String, i64>,
}

impl Listener {
    /// Subscribes first, then notes where every room is: in the other
    /// order, a message said in between would be missed.
    pub async fn start(
        redis: Redis,
        hub: Hub,
        order: Arc<tokio::sync::Mutex<()>>,
    ) -> DbResult<(Listener, PubSub)> {
        let pubsub = redis.subscribe().await?;
        let delivered = redis.last_ids().await?;
        let listener = Listener {
            redis,
            hub,
            order,
            delivered,
        };
        Ok((listener, pubsub))
    }
    // ANCHOR_END: listener

    // ANCHOR: run
    /// Listens until `shutdown`; subscribes again, with a growing wait,
    /// each time the subscription is lost.
    pub async fn run(mut self, pubsub: PubSub, shutdown: CancellationToken) {
        let mut pubsub = Some(pubsub);
        let mut wait = RETRY_FIRST;
        loop {
            if let Some(subscribed) = pubsub.take() {
                let lost = tokio::select! {
                    () = shutdown.cancelled() => return,
                    lost = self.listen(subscribed) => lost,
                };
                eprintln!("lost the subscription ({lost}); subscribing again");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            // Connecting can take a while: the token is heeded meanwhile.
            let resubscribed = tokio::select! {
                () = shutdown.cancelled() => return,
                resubscribed = self.resubscribe() => resubscribed,
            };
            match resubscribed {
                Ok(subscribed) => {
                    pubsub = Some(subscribed);
                    wait = RETRY_FIRST;
                }
                Err(error) => {
                    eprintln!("cannot subscribe again: {error}");
                    wait = (wait * 2).min(RETRY_MAX);
                }
            }
        }
    }

    // ANCHOR_END: run

    // ANCHOR: resubscribe
    /// Subscribes, then hands over every message said since the last one
    /// this server heard: pub/sub will never bring those.
    async fn resubscribe(&mut self) -> DbResult<PubSub> {
        let pubsub = self.redis.subscribe().await?;
        let _order = Arc::clone(&self.order).lock_owned().await;
        for room in ROOMS {
            self.catch_up(room, i64::MAX).await?;
        }
        Ok(pubsub)
    }
    // ANCHOR_END: resubscribe

    /// Hands over what the subscription brings until it ends; says why.
    async fn listen(&mut self, pubsub: PubSub) -> String {
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let channel = message.get_channel_name();
            let Some(room) = channel.strip_prefix("chat:room:") else {
                continue;
            };
            let payload = message.get_payload_bytes();
            let event = match serde_json::from_slice::<Event>(payload) {
                Ok(event) => event,
                Err(error) => {
                    eprintln!("not an event on {channel}: {error}");
                    continue;
                }
            };
            if let Err(error) = self.deliver(room, event).await {
                return error.to_string();
            }
        }
        "the connection was closed".into()
    }

    // ANCHOR: deliver
    async fn deliver(&mut self, room: &str, event: Event) -> DbResult<()> {
        // An owned guard: it borrows nothing from `self`.
        let _order = Arc::clone(&self.order).lock_owned().await;
        let Event::Message { id, .. } = event else {
            self.hub.broadcast(room, &event); // joined or left
            return Ok(());
        };
        let last = self.delivered[room];
        if id <= last {
            return Ok(()); // handed over already, from the history
        }
        if id > last + 1 {
            // Some were published while we were not listening.
            self.catch_up(room, id - 1).await?;
        }
        self.hub.broadcast(room, &event);
        self.delivered.insert(room.to_string(), id);
        Ok(())
    }

    /// Hands over the messages of `room` from the history, from the one
    /// after the last handed over to `until`.
    async fn catch_up(&mut self, room: &str, until: i64) -> DbResult<()> {
        let after = self.delivered[room];
        for said in self.redis.between(room, after, until).await? {
            let id = said.id;
            let event = Event::Message {
                id,
                room: room.to_string(),
                name: said.name,
                text: said.text,
            };
            self.hub.broadcast(room, &event);
            self.delivered.insert(room.to_string(), id);
        }
        Ok(())
    }
    // ANCHOR_END: deliver
}
