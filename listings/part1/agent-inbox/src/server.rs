//! A small message server: it keeps every message until an agent acknowledges
//! it, sends all unacknowledged messages to each agent that connects, and
//! closes the connection once the agent has acknowledged all it was sent.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::protocol::{Message, parse_ack};

/// The messages not acknowledged yet, shared by every connection.
#[derive(Default)]
struct Outbox {
    unacked: BTreeMap<i64, String>,
    acked: u64,
}

/// A running server. Dropping it stops accepting agents.
pub struct MessageServer {
    address: SocketAddr,
    outbox: Arc<Mutex<Outbox>>,
    acked_rx: watch::Receiver<u64>,
    accepting: JoinHandle<()>,
}

impl MessageServer {
    /// Listens on `address` (port 0 picks a free port) with these messages to
    /// deliver.
    pub async fn start(
        address: &str,
        messages: impl IntoIterator<Item = Message>,
    ) -> io::Result<MessageServer> {
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let outbox = Outbox {
            unacked: messages.into_iter().map(|m| (m.id, m.text)).collect(),
            acked: 0,
        };
        let outbox = Arc::new(Mutex::new(outbox));
        let (acked_tx, acked_rx) = watch::channel(0);
        let accepting =
            tokio::spawn(accept_agents(listener, outbox.clone(), acked_tx));
        Ok(MessageServer {
            address,
            outbox,
            acked_rx,
            accepting,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// How many acknowledgements have arrived (a re-acknowledged id counts
    /// once).
    pub fn acked(&self) -> u64 {
        self.outbox.lock().unwrap().acked
    }

    /// The ids still waiting for an acknowledgement.
    pub fn unacked_ids(&self) -> Vec<i64> {
        self.outbox
            .lock()
            .unwrap()
            .unacked
            .keys()
            .copied()
            .collect()
    }

    /// Waits until at least `count` messages are acknowledged.
    pub async fn wait_for_acks(&self, count: u64) {
        let mut acked_rx = self.acked_rx.clone();
        acked_rx
            .wait_for(|&acked| acked >= count)
            .await
            .expect("the server stopped");
    }
}

impl Drop for MessageServer {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

// ANCHOR: serve
// ANCHOR: accept
async fn accept_agents(
    listener: TcpListener,
    outbox: Arc<Mutex<Outbox>>,
    acked_tx: watch::Sender<u64>,
) {
    let acked_tx = Arc::new(acked_tx);
    loop {
        match listener.accept().await {
            Ok((connection, peer)) => {
                let outbox = outbox.clone();
                let acked_tx = acked_tx.clone();
                tokio::spawn(async move {
                    if let Err(error) =
                        serve_agent(connection, &outbox, &acked_tx).await
                    {
                        eprintln!("server: agent {peer}: {error}");
                    }
                });
            }
            Err(error) => {
                eprintln!("server: accepting a connection failed: {error}")
            }
        }
    }
}
// ANCHOR_END: accept

// ANCHOR: send
async fn serve_agent(
    connection: TcpStream,
    outbox: &Mutex<Outbox>,
    acked_tx: &watch::Sender<u64>,
) -> io::Result<()> {
    let peer = connection.peer_addr()?;
    let (from_agent, to_agent) = connection.into_split();
    // Everything not acknowledged yet, including what an earlier connection was
    // sent.
    let to_send: Vec<(i64, String)> = {
        let outbox = outbox.lock().unwrap();
        outbox
            .unacked
            .iter()
            .map(|(id, text)| (*id, text.clone()))
            .collect()
    };
    let mut waiting: HashSet<i64> = to_send.iter().map(|(id, _)| *id).collect();
    eprintln!(
        "server: agent {peer} connected, sending {} messages",
        to_send.len()
    );

    // Sending and reading acks run at the same time: an agent that cannot get
    // its acks out would stop reading, and then our sends would wait forever.
    let send = async move {
        let mut to_agent = BufWriter::new(to_agent);
        for (id, text) in to_send {
            to_agent
                .write_all(format!("{id} {text}\n").as_bytes())
                .await?;
        }
        to_agent.flush().await?;
        Ok::<_, io::Error>(to_agent)
    };
    // ANCHOR_END: send
    // ANCHOR: acks
    let receive_acks = async {
        let mut lines = BufReader::new(from_agent).lines();
        while !waiting.is_empty() {
            let Some(line) = lines.next_line().await? else {
                break;
            };
            match parse_ack(&line) {
                Some(id) if waiting.remove(&id) => {
                    let mut outbox = outbox.lock().unwrap();
                    if outbox.unacked.remove(&id).is_some() {
                        outbox.acked += 1;
                        acked_tx.send_replace(outbox.acked);
                    }
                }
                Some(id) => {
                    eprintln!(
                        "server: agent {peer} acknowledged {id}, \
                         which it was not sent"
                    )
                }
                None => eprintln!(
                    "server: agent {peer} sent {line:?}, expected `ack <id>`"
                ),
            }
        }
        Ok::<_, io::Error>(())
    };
    let (sent, acks) = tokio::join!(send, receive_acks);
    if let Some(error) = sent.as_ref().err().or(acks.as_ref().err()) {
        eprintln!("server: agent {peer}: connection lost: {error}");
    }
    eprintln!(
        "server: agent {peer} done, {} of its messages unacknowledged",
        waiting.len()
    );
    // Dropping the writer closes the connection: this agent has nothing more to
    // receive.
    drop(sent);
    Ok(())
}
// ANCHOR_END: acks
// ANCHOR_END: serve
