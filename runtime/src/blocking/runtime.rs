//! The runtime thread a blocking client runs its calls on.
//!
//! One OS thread per [`Client`](super::Client) (and its clones) drives a
//! current-thread Tokio runtime: it runs the tasks that calls spawn
//! (connections, token requests) and the IO and timer drivers. A blocking
//! call polls its own future on the calling thread with
//! [`Handle::block_on`], inside this runtime's context, so sixteen threads
//! calling at once wait in parallel on one pool, and the future needs to be
//! neither `Send` nor `'static`. Dropping the last handle stops the thread
//! and waits for it to finish.

use std::fmt;
use std::future::Future;
use std::io;
use std::thread::{self, JoinHandle};

use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::BlockingError;
use crate::error::{Error, Result};

/// The runtime thread, shared by every clone of a blocking client.
pub(crate) struct RuntimeThread {
    handle: Handle,
    /// Dropping it tells the thread to stop.
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RuntimeThread {
    /// Starts the thread and its runtime; fails if either cannot be made.
    pub(crate) fn start() -> io::Result<RuntimeThread> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("restrait-blocking".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(runtime.handle().clone()));
                // Drives the drivers and the spawned tasks until told to
                // stop (or every sender is gone); then the runtime is
                // dropped here, outside any async context, which cancels
                // its tasks and closes its connections.
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })?;
        let handle = match ready_rx.recv() {
            Ok(result) => result?,
            Err(_) => return Err(io::Error::other("the runtime thread stopped at start")),
        };
        Ok(RuntimeThread {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Runs `future` to completion on the calling thread, inside the
    /// runtime's context; a typed error instead when the calling thread is
    /// itself inside a Tokio runtime, where blocking it could deadlock that
    /// runtime (and Tokio would panic).
    pub(crate) fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        if Handle::try_current().is_ok() {
            return Err(Error::Blocking(BlockingError::inside_runtime()));
        }
        Ok(self.handle.block_on(future))
    }
}

impl Drop for RuntimeThread {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // Dropped by a task of the runtime itself (a blocking client
            // moved into a callback it runs): the thread stops once that
            // task returns, and joining here would wait for ourselves.
            if thread.thread().id() != thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

impl fmt::Debug for RuntimeThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeThread")
            .field("thread", &self.thread.as_ref().map(|t| t.thread().id()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_futures_with_timers_on_the_calling_thread() {
        let runtime = RuntimeThread::start().expect("runtime thread");
        let caller = thread::current().id();
        let ran_on = runtime
            .block_on(async {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                thread::current().id()
            })
            .expect("outside a runtime");
        assert_eq!(ran_on, caller);
    }

    #[test]
    fn spawned_tasks_run_on_the_runtime_thread() {
        let runtime = RuntimeThread::start().expect("runtime thread");
        let name = runtime
            .block_on(async {
                tokio::spawn(async { thread::current().name().map(str::to_owned) }).await
            })
            .expect("outside a runtime")
            .expect("task");
        assert_eq!(name.as_deref(), Some("restrait-blocking"));
    }

    #[test]
    fn inside_a_runtime_it_is_an_error_not_a_panic() {
        let runtime = RuntimeThread::start().expect("runtime thread");
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("outer runtime");
        let result = outer.block_on(async { runtime.block_on(async { 1 }) });
        assert!(matches!(result, Err(Error::Blocking(_))), "{result:?}");
    }

    #[test]
    fn dropping_it_stops_the_thread() {
        let runtime = RuntimeThread::start().expect("runtime thread");
        let thread = runtime.thread.as_ref().map(|t| t.thread().clone());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // A task that never ends on its own: stopping cancels it, which drops `tx`.
        runtime
            .block_on(async {
                tokio::spawn(async move {
                    let _tx = tx;
                    std::future::pending::<()>().await;
                });
            })
            .expect("outside a runtime");
        drop(runtime);
        assert!(rx.recv().is_err(), "the task was dropped with the runtime");
        assert!(thread.is_some());
    }
}
