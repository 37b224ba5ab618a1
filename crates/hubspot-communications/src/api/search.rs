//! Search calls: one page, every result, every result past HubSpot's cap.

use crate::client::Client;
use crate::error::Error;
use crate::model::search::{SEARCH_RESULT_CAP, Search, SearchPage};
use crate::model::{COMMUNICATIONS, Message};
use crate::operation::Operation;
use crate::request::{Page, Paged};

impl Client {
    /// One page of a search, from the cursor `after`.
    pub async fn search_page(
        &self,
        search: &Search,
        after: Option<&str>,
    ) -> Result<SearchPage, Error> {
        search.check()?;
        let offset = after.and_then(|a| a.parse::<u64>().ok());
        if offset.is_some_and(|offset| offset >= u64::from(SEARCH_RESULT_CAP)) {
            return Err(Error::SearchLimitReached {
                limit: SEARCH_RESULT_CAP,
            });
        }
        let body = search.to_request(after.map(str::to_owned));
        let found = self
            .execute(Operation::Search, |raw| {
                raw.objects
                    .search_objects()
                    .object_type(COMMUNICATIONS)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(SearchPage {
            total: found.total.max(0) as u64,
            page: Page {
                items: found.results.into_iter().map(Message::from).collect(),
                next: found.paging.and_then(|p| p.next).map(|next| next.after),
            },
        })
    }

    /// Every result of a search, paging by itself. HubSpot stops at 10,000 results per query:
    /// past them the stream ends with [`Error::SearchLimitReached`] rather than silently. Use
    /// [`Client::search_all`] to read everything.
    pub fn search(&self, search: Search) -> Paged<Message> {
        let client = self.clone();
        Paged::new(Operation::Search, move |after| {
            let (client, search) = (client.clone(), search.clone());
            async move {
                let found = client.search_page(&search, after.as_deref()).await?;
                Ok(found.page)
            }
        })
    }

    /// Every result of a search, past HubSpot's 10,000-result cap.
    ///
    /// It reads in id order: each request asks for the next page of messages whose
    /// `hs_object_id` is greater than the last one read, so no query ever needs an offset, and
    /// no result is skipped or read twice while messages are added. The search's own sorts are
    /// replaced by the id order, and each filter group gets one more filter (mind HubSpot's
    /// limit of filters per group).
    pub fn search_all(&self, search: Search) -> Paged<Message> {
        let client = self.clone();
        // The cursor is the id of the last message read.
        Paged::new(Operation::Search, move |last_id| {
            let (client, search) = (client.clone(), search.clone());
            async move {
                let found = client.search_all_page(&search, last_id.as_deref()).await?;
                Ok(found.page)
            }
        })
    }

    /// One window of [`Client::search_all`]: the next page of the search's messages whose id
    /// is greater than `after_id` (from the first when `None`), in id order. The page's `next`
    /// is the id to pass for the following window, `None` after the last; `total` counts the
    /// matches past `after_id`. Keep `next` to go on later where a long read stopped (a
    /// resumed export): no offset is involved, so HubSpot's 10,000-result cap never applies.
    pub async fn search_all_page(
        &self,
        search: &Search,
        after_id: Option<&str>,
    ) -> Result<SearchPage, Error> {
        let window = search.after_id(after_id);
        let found = self.search_page(&window, None).await?;
        let full = found.page.items.len() as u32 >= window.limit();
        let next = match found.page.items.last() {
            Some(last) if full => Some(last.id.clone()),
            _ => None,
        };
        Ok(SearchPage {
            total: found.total,
            page: Page {
                items: found.page.items,
                next,
            },
        })
    }
}
