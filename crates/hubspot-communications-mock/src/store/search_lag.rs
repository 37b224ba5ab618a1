//! HubSpot's search is eventually consistent: a write shows in search results seconds after it
//! is made, while a read by id sees it at once. This keeps, for each object written within the
//! lag, what search still shows of it, so that the fake is never kinder than HubSpot (a
//! find-or-create that searches right after creating must not find what it created).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::object::Object;
use crate::property::PropertyOwner;

/// What search shows of the objects written within the last `lag`.
#[derive(Debug, Default, Clone)]
pub(crate) struct SearchLag {
    lag: Duration,
    /// Objects with a write search does not show yet.
    unseen: BTreeMap<(PropertyOwner, u64), Unseen>,
}

/// One object's writes that search does not show yet.
#[derive(Debug, Clone)]
struct Unseen {
    /// What search shows: the object as it was before them (`None`: it did not exist).
    shown: Option<Object>,
    /// Each write's result, oldest first, with when search shows it.
    writes: VecDeque<(Instant, Object)>,
}

impl SearchLag {
    /// Writes show in search `lag` after they are made (at once for zero).
    pub(crate) fn new(lag: Duration) -> Self {
        Self {
            lag,
            unseen: BTreeMap::new(),
        }
    }

    /// Whether writes lag: only then are they copied for search.
    fn is_on(&self) -> bool {
        !self.lag.is_zero()
    }

    /// Notes that the object of `key` is about to be written (`current`: as it is, `None` for
    /// a create): what search shows of it until the write shows.
    pub(crate) fn before_write(&mut self, key: (PropertyOwner, u64), current: Option<&Object>) {
        if self.is_on() {
            self.unseen.entry(key).or_insert_with(|| Unseen {
                shown: current.map(searchable),
                writes: VecDeque::new(),
            });
        }
    }

    /// Notes the object of `key` as a write made `now` left it (after
    /// [`SearchLag::before_write`]).
    pub(crate) fn written(&mut self, key: (PropertyOwner, u64), after: &Object, now: Instant) {
        if let Some(unseen) = self.unseen.get_mut(&key) {
            unseen.writes.push_back((now + self.lag, searchable(after)));
        }
    }

    /// Shows every write made `lag` ago or earlier: called before each search.
    pub(crate) fn catch_up(&mut self, now: Instant) {
        self.unseen.retain(|_, unseen| {
            while let Some((at, _)) = unseen.writes.front()
                && *at <= now
            {
                unseen.shown = unseen.writes.pop_front().map(|(_, object)| object);
            }
            // With every write shown, search shows the store's object again.
            !unseen.writes.is_empty()
        });
    }

    /// Forgets an object's writes: search shows it as stored, at once (seeded objects stand
    /// for what the account held long before).
    pub(crate) fn show_now(&mut self, key: (PropertyOwner, u64)) {
        self.unseen.remove(&key);
    }

    /// What search shows of `stored` (after [`SearchLag::catch_up`]): itself, or what it was
    /// before its unseen writes (`None`: not yet found).
    pub(crate) fn shown<'a>(
        &'a self,
        owner: PropertyOwner,
        stored: &'a Object,
    ) -> Option<&'a Object> {
        match self.unseen.get(&(owner, stored.id)) {
            Some(unseen) => unseen.shown.as_ref(),
            None => Some(stored),
        }
    }
}

/// What search needs of an object: all but its property history.
fn searchable(object: &Object) -> Object {
    Object {
        history: BTreeMap::new(),
        ..object.clone()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    const OWNER: PropertyOwner = PropertyOwner::Communication;

    fn object(body: &str) -> Object {
        Object::new(
            1,
            [("hs_communication_body".into(), body.into())].into(),
            Utc::now(),
        )
    }

    fn body(shown: Option<&Object>) -> Option<&str> {
        shown.map(|o| o.properties["hs_communication_body"].as_str())
    }

    #[test]
    fn a_create_shows_after_the_lag_and_each_update_in_turn() {
        let mut lag = SearchLag::new(Duration::from_secs(5));
        let start = Instant::now();
        let (first, second) = (object("first"), object("second"));
        lag.before_write((OWNER, 1), None);
        lag.written((OWNER, 1), &first, start);
        lag.before_write((OWNER, 1), Some(&first));
        lag.written((OWNER, 1), &second, start + Duration::from_secs(2));

        lag.catch_up(start + Duration::from_secs(4));
        assert_eq!(body(lag.shown(OWNER, &second)), None, "not found yet");
        lag.catch_up(start + Duration::from_secs(5));
        assert_eq!(body(lag.shown(OWNER, &second)), Some("first"));
        lag.catch_up(start + Duration::from_secs(7));
        assert_eq!(body(lag.shown(OWNER, &second)), Some("second"));
        assert!(lag.unseen.is_empty(), "the store's object again");
    }

    #[test]
    fn without_lag_nothing_is_kept_and_seeds_show_at_once() {
        let mut lag = SearchLag::new(Duration::ZERO);
        let stored = object("now");
        lag.before_write((OWNER, 1), None);
        lag.written((OWNER, 1), &stored, Instant::now());
        assert_eq!(body(lag.shown(OWNER, &stored)), Some("now"));
        assert!(lag.unseen.is_empty());

        let mut lag = SearchLag::new(Duration::from_secs(5));
        lag.before_write((OWNER, 1), None);
        lag.written((OWNER, 1), &stored, Instant::now());
        lag.show_now((OWNER, 1));
        assert_eq!(body(lag.shown(OWNER, &stored)), Some("now"));
    }
}
