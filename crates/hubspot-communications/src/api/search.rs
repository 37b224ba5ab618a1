//! Search calls: one page, every result, every result past HubSpot's cap.

use crate::client::Client;
use crate::error::Error;
use crate::model::FromRaw;
use crate::model::Page;
use crate::model::search::{Search, SearchPage};
use crate::model::{COMMUNICATIONS, Message};
use crate::operation::Operation;
use crate::request::Paged;

impl Client {
    /// One page of a search, from the cursor `after`.
    pub async fn search_page(
        &self,
        search: &Search,
        after: Option<&str>,
    ) -> Result<SearchPage, Error> {
        let operation = Operation::Search;
        let (total, page) = self
            .search_objects(operation, COMMUNICATIONS, search, after)
            .await?;
        Ok(SearchPage {
            total,
            page: page.map(Message::from_raw),
        })
    }

    /// The results of a search up to HubSpot's cap, paging by itself. HubSpot stops at 10,000
    /// results per query: past them the stream ends with [`Error::SearchLimitReached`] rather
    /// than silently. [`Client::search_past_cap`] reads every result.
    pub fn search(&self, search: Search) -> Paged<Message> {
        self.search_pages(search, false)
    }

    /// Every result of a search, past HubSpot's 10,000-result cap.
    ///
    /// It reads in id order: each request asks for the next page of messages whose
    /// `hs_object_id` is greater than the last one read, so no query ever needs an offset, and
    /// no result is skipped or read twice while messages are added. The search's own sorts are
    /// replaced by the id order, and each filter group gets one more filter (mind HubSpot's
    /// limit of filters per group).
    pub fn search_past_cap(&self, search: Search) -> Paged<Message> {
        self.search_pages(search, true)
    }

    /// The pages of [`search`](Self::search), or with `by_id` of
    /// [`search_past_cap`](Self::search_past_cap), whose cursor is the id of the last message read.
    fn search_pages(&self, search: Search, by_id: bool) -> Paged<Message> {
        let client = self.clone();
        Paged::new(Operation::Search, move |after| {
            let (client, search) = (client.clone(), search.clone());
            async move {
                let after = after.as_deref();
                let found = if by_id {
                    client.search_past_cap_page(&search, after).await?
                } else {
                    client.search_page(&search, after).await?
                };
                Ok(found.page)
            }
        })
    }

    /// One window of [`Client::search_past_cap`]: the next page of the search's messages whose id
    /// is greater than `after_id` (from the first when `None`), in id order. The page's `next`
    /// is the id to pass for the following window, `None` after the last; `total` counts the
    /// matches past `after_id`. Keep `next` to go on later where a long read stopped (a
    /// resumed export): no offset is involved, so HubSpot's 10,000-result cap never applies.
    pub async fn search_past_cap_page(
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
