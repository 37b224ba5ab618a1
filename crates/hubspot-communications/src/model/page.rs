//! One page of a list, and the cursor of the next.

/// One page of a list, and the cursor of the next.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last one.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items`, with the cursor of the next page (`None` on the last).
    pub fn new(items: Vec<T>, next: Option<String>) -> Self {
        Self { items, next }
    }

    /// The same page with each item read into another type.
    pub(crate) fn map<U>(self, read: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(read).collect(),
            next: self.next,
        }
    }
}
