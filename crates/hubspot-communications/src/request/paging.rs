//! One paging stream for every list: messages, associations, search results.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream};
use futures::{Stream, StreamExt, TryStreamExt};

use crate::error::{Error, InvalidResponse, ResponseProblem};
use crate::model::Page;
use crate::operation::Operation;

/// Every item of a list, fetching the next page when the last one is used up.
///
/// A named type: it can be stored in a struct or returned from a function, and it is
/// `Unpin`, so `next().await` needs no `pin!`. A server that gives a cursor a second time
/// would make it loop forever: the stream ends with [`Error::InvalidResponse`]
/// ([`ResponseProblem::RepeatedCursor`]) instead.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use hubspot_communications::{Client, Message, Paged, ReadOptions};
///
/// struct Export {
///     messages: Paged<Message>,
/// }
///
/// # async fn run(client: Client) -> Result<(), hubspot_communications::Error> {
/// let mut export = Export { messages: client.list(ReadOptions::new()) };
/// while let Some(message) = export.messages.try_next().await? {
///     println!("{}", message.id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a stream does nothing until polled"]
pub struct Paged<T> {
    items: BoxStream<'static, Result<T, Error>>,
}

impl<T: Send + 'static> Paged<T> {
    /// The items of any stream, as the client's lists give them: what a stand-in of the client
    /// returns where the client returns a `Paged`.
    ///
    /// ```
    /// use futures::{TryStreamExt, stream};
    /// use hubspot_communications::{Error, Message, Paged};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// let now = chrono::Utc::now();
    /// let canned = vec![Ok(Message::new("1", now)), Ok(Message::new("2", now))];
    /// let listed: Vec<Message> = Paged::from_stream(stream::iter(canned)).try_collect().await?;
    /// assert_eq!(listed.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn from_stream(items: impl Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
        Self {
            items: items.boxed(),
        }
    }

    /// Pages from `fetch`, which reads the page at a cursor (`None` for the first).
    pub(crate) fn new<F, Fut>(operation: Operation, fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        struct State<F> {
            fetch: F,
            /// The cursor of the next page to read (`Some(None)` for the first one).
            next: Option<Option<String>>,
            seen: HashSet<String>,
            /// The error that ends the stream once the last page's items are out.
            ended_by: Option<Error>,
        }
        let start = State {
            fetch,
            next: Some(None),
            seen: HashSet::new(),
            ended_by: None,
        };
        let items = stream::try_unfold(start, move |mut state| async move {
            if let Some(error) = state.ended_by.take() {
                return Err(error);
            }
            let Some(cursor) = state.next.take() else {
                return Ok(None);
            };
            let page = (state.fetch)(cursor).await?;
            match page.next {
                Some(next) if !state.seen.insert(next.clone()) => {
                    // The page's items are real; only following its cursor would loop.
                    state.ended_by = Some(InvalidResponse::error(
                        operation,
                        None,
                        ResponseProblem::RepeatedCursor(next),
                    ));
                }
                next => state.next = next.map(Some),
            }
            Ok(Some((stream::iter(page.items.into_iter().map(Ok)), state)))
        })
        .try_flatten()
        .boxed();
        Self { items }
    }
}

impl<T> Stream for Paged<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.items.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl<T> std::fmt::Debug for Paged<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paged").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages of the numbers from `pages`, each page's cursor its index.
    fn numbers(pages: Vec<(Vec<u32>, Option<&'static str>)>) -> Paged<u32> {
        let pages = std::sync::Arc::new(pages);
        Paged::new(Operation::ListCommunications, move |cursor| {
            let pages = pages.clone();
            async move {
                let index: usize = cursor.map_or(0, |c| c.parse().unwrap());
                let (items, next) = pages[index].clone();
                Ok(Page {
                    items,
                    next: next.map(str::to_owned),
                })
            }
        })
    }

    #[tokio::test]
    async fn reads_every_page_in_order() {
        let all: Vec<u32> = numbers(vec![
            (vec![1, 2], Some("1")),
            (vec![], Some("2")),
            (vec![3], None),
        ])
        .try_collect()
        .await
        .unwrap();
        assert_eq!(all, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_cursor_given_twice_ends_the_stream_with_an_error() {
        let mut paged = numbers(vec![(vec![1], Some("1")), (vec![2], Some("1"))]);
        assert_eq!(paged.try_next().await.unwrap(), Some(1));
        assert_eq!(paged.try_next().await.unwrap(), Some(2));
        let error = paged.try_next().await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidResponse(invalid)
                if invalid.problem == ResponseProblem::RepeatedCursor("1".into())),
            "{error:?}"
        );
        assert!(!error.is_fate_unknown(), "reading changes nothing");
    }
}
