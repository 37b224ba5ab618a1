//! Gathering a stream's items into groups by weight, without holding any item long: a group
//! is handed on when it weighs `max`, when the stream ends, or `linger` after its first item
//! came. Keyed logging gathers its stored batches this way before associating them, so that a
//! busy import spends one association request per 1,000 pairs, and a slow one waits little.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use tokio::time::Sleep;

/// Groups of a stream's items; see the module's docs.
pub(crate) struct Gather<S: Stream> {
    inner: Pin<Box<S>>,
    weigh: fn(&S::Item) -> usize,
    max: usize,
    linger: Duration,
    group: Vec<S::Item>,
    weight: usize,
    deadline: Option<Pin<Box<Sleep>>>,
    ended: bool,
}

impl<S: Stream> Gather<S> {
    pub(crate) fn new(
        inner: S,
        weigh: fn(&S::Item) -> usize,
        max: usize,
        linger: Duration,
    ) -> Self {
        Self {
            inner: Box::pin(inner),
            weigh,
            max,
            linger,
            group: Vec::new(),
            weight: 0,
            deadline: None,
            ended: false,
        }
    }

    fn take(&mut self) -> Vec<S::Item> {
        self.weight = 0;
        self.deadline = None;
        std::mem::take(&mut self.group)
    }
}

impl<S: Stream> Stream for Gather<S>
where
    S::Item: Unpin,
{
    type Item = Vec<S::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        while !this.ended {
            match this.inner.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => {
                    let weight = (this.weigh)(&item);
                    // Weightless items have nothing to wait for.
                    if weight == 0 && this.group.is_empty() {
                        return Poll::Ready(Some(vec![item]));
                    }
                    this.weight += weight;
                    this.group.push(item);
                    if this.deadline.is_none() {
                        this.deadline = Some(Box::pin(tokio::time::sleep(this.linger)));
                    }
                    if this.weight >= this.max {
                        return Poll::Ready(Some(this.take()));
                    }
                }
                Poll::Ready(None) => this.ended = true,
                Poll::Pending => break,
            }
        }
        if this.group.is_empty() {
            return if this.ended {
                Poll::Ready(None)
            } else {
                Poll::Pending
            };
        }
        let lingered = this
            .deadline
            .as_mut()
            .is_none_or(|deadline| deadline.as_mut().poll(cx).is_ready());
        if this.ended || lingered {
            return Poll::Ready(Some(this.take()));
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use futures::{StreamExt, stream};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn groups_by_weight_then_by_time_then_at_the_end() {
        let (sender, receiver) = futures::channel::mpsc::unbounded::<usize>();
        let mut groups = Gather::new(receiver, |n| *n, 10, Duration::from_millis(250));
        for n in [4, 4, 4, 1] {
            sender.unbounded_send(n).unwrap();
        }
        assert_eq!(groups.next().await, Some(vec![4, 4, 4]), "full");
        let started = tokio::time::Instant::now();
        assert_eq!(groups.next().await, Some(vec![1]), "lingered");
        assert_eq!(started.elapsed(), Duration::from_millis(250));
        sender.unbounded_send(0).unwrap();
        assert_eq!(groups.next().await, Some(vec![0]), "nothing to wait for");
        sender.unbounded_send(2).unwrap();
        drop(sender);
        assert_eq!(groups.next().await, Some(vec![2]), "the end");
        assert_eq!(groups.next().await, None);
    }

    #[tokio::test]
    async fn a_finished_stream_is_handed_on_whole() {
        let groups: Vec<_> = Gather::new(
            stream::iter([1, 2, 3]),
            |n| *n,
            100,
            Duration::from_secs(3600),
        )
        .collect()
        .await;
        assert_eq!(groups, [vec![1, 2, 3]]);
    }
}
