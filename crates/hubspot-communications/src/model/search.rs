//! A search: the builder of HubSpot's search request, with its limits checked before sending.

use hubspot_communications_raw::types;

use super::message::{Message, property};
use super::page::Page;
use crate::error::Error;

/// HubSpot's search returns at most this many results per query.
pub const SEARCH_RESULT_CAP: u32 = 10_000;
/// HubSpot's largest search page.
pub const MAX_SEARCH_PAGE_SIZE: u32 = 200;
/// The most characters HubSpot takes in a search request's body: "If the body of your request
/// exceeds 3,000 characters, a 400 error will be returned" (its search guide, Limits). A
/// search whose body would be longer is refused before sending
/// ([`Error::InvalidInput`](crate::Error::InvalidInput)).
pub const MAX_SEARCH_BODY_CHARS: usize = 3_000;
/// HubSpot's search guide (Limits, 2026-03): 5 filter groups of up to 6 filters, 18 in all (a
/// 2024 changelog had said 10 a group and 25 in all: the guide's, the stricter, are kept).
const MAX_FILTER_GROUPS: usize = 5;
const MAX_FILTERS_PER_GROUP: usize = 6;
const MAX_FILTERS: usize = 18;

model_open_enum! {
    /// How a search filter compares a property with its value (HubSpot's `operator`).
    pub enum FilterOperator {
        /// Between `value` and `highValue`, inclusive.
        Between = "BETWEEN",
        /// Contains the token (words, or `*` wildcards).
        ContainsToken = "CONTAINS_TOKEN",
        /// Equal.
        Eq = "EQ",
        /// Greater than.
        Gt = "GT",
        /// Greater than or equal.
        Gte = "GTE",
        /// Has any value.
        HasProperty = "HAS_PROPERTY",
        /// Equal to one of `values`.
        In = "IN",
        /// Less than.
        Lt = "LT",
        /// Less than or equal.
        Lte = "LTE",
        /// Not equal.
        Neq = "NEQ",
        /// Does not contain the token.
        NotContainsToken = "NOT_CONTAINS_TOKEN",
        /// Has no value.
        NotHasProperty = "NOT_HAS_PROPERTY",
        /// Equal to none of `values`.
        NotIn = "NOT_IN",
    }
}

/// One condition on a property.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter(types::Filter);

impl Filter {
    /// A filter with any operator and value.
    pub fn new(
        property: impl Into<String>,
        operator: FilterOperator,
        value: impl Into<String>,
    ) -> Self {
        Self(types::Filter {
            high_value: None,
            operator: operator.as_str().into(),
            property_name: property.into(),
            value: Some(value.into()),
            values: Vec::new(),
        })
    }

    fn without_value(property: impl Into<String>, operator: FilterOperator) -> Self {
        let mut filter = Self::new(property, operator, "");
        filter.0.value = None;
        filter
    }

    fn with_values<I: IntoIterator<Item = S>, S: Into<String>>(
        property: impl Into<String>,
        operator: FilterOperator,
        values: I,
    ) -> Self {
        let mut filter = Self::without_value(property, operator);
        filter.0.values = values.into_iter().map(Into::into).collect();
        filter
    }

    /// Between `low` and `high`, inclusive.
    pub fn between(
        property: impl Into<String>,
        low: impl Into<String>,
        high: impl Into<String>,
    ) -> Self {
        let mut filter = Self::new(property, FilterOperator::Between, low);
        filter.0.high_value = Some(high.into());
        filter
    }
    /// Equal to one of `values`.
    pub fn is_in<I: IntoIterator<Item = S>, S: Into<String>>(
        property: impl Into<String>,
        values: I,
    ) -> Self {
        Self::with_values(property, FilterOperator::In, values)
    }
    /// Equal to none of `values`.
    pub fn not_in<I: IntoIterator<Item = S>, S: Into<String>>(
        property: impl Into<String>,
        values: I,
    ) -> Self {
        Self::with_values(property, FilterOperator::NotIn, values)
    }
    /// Has any value.
    pub fn has_property(property: impl Into<String>) -> Self {
        Self::without_value(property, FilterOperator::HasProperty)
    }
    /// Has no value.
    pub fn not_has_property(property: impl Into<String>) -> Self {
        Self::without_value(property, FilterOperator::NotHasProperty)
    }
}

/// The filters that compare a property with one value: each is [`Filter::new`] with its
/// operator.
macro_rules! one_value_filters {
    ($($(#[$doc:meta])* $name:ident($value:ident) => $operator:ident;)*) => {
        impl Filter {
            $(
                $(#[$doc])*
                pub fn $name(property: impl Into<String>, $value: impl Into<String>) -> Self {
                    Self::new(property, FilterOperator::$operator, $value)
                }
            )*
        }
    };
}

one_value_filters! {
    /// Equal to `value`.
    eq(value) => Eq;
    /// Not equal to `value`.
    neq(value) => Neq;
    /// Less than `value`.
    lt(value) => Lt;
    /// Less than or equal to `value`.
    lte(value) => Lte;
    /// Greater than `value`.
    gt(value) => Gt;
    /// Greater than or equal to `value`.
    gte(value) => Gte;
    /// Contains the token (a word; `*` is a wildcard).
    contains_token(token) => ContainsToken;
    /// Does not contain the token.
    not_contains_token(token) => NotContainsToken;
}

/// How results are ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort(types::SearchSort);

impl Sort {
    /// Ascending by a property.
    pub fn ascending(property: impl Into<String>) -> Self {
        Self(types::SearchSort {
            property_name: property.into(),
            direction: Some(types::SearchSortDirection::Ascending),
        })
    }

    /// Descending by a property.
    pub fn descending(property: impl Into<String>) -> Self {
        Self(types::SearchSort {
            property_name: property.into(),
            direction: Some(types::SearchSortDirection::Descending),
        })
    }
}

/// Filters that all match together: one alternative of [`Search::any_of`].
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct FilterGroup(Vec<Filter>);

impl FilterGroup {
    /// A group of no filter yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a filter: a message matches the group if it matches every one of its filters.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.0.push(filter);
        self
    }
}

/// A search for messages: the filters every result matches, alternatives of which a result
/// matches at least one ([`FilterGroup`]s), sorts, a free-text query and the properties to
/// return.
///
/// ```
/// use hubspot_communications::search::{Filter, FilterGroup, Search, Sort};
///
/// // SMS that mention a contract, newest first.
/// let sms_about_contracts = Search::new()
///     .filter(Filter::eq("hs_communication_channel_type", "SMS"))
///     .filter(Filter::contains_token("hs_communication_body", "contract"))
///     .sort(Sort::descending("hs_timestamp"))
///     .properties(["hs_communication_body"]);
///
/// // Messages of one owner that are WhatsApp messages, or SMS about a contract.
/// let either = Search::new().filter(Filter::eq("hubspot_owner_id", "42")).any_of([
///     FilterGroup::new().filter(Filter::eq("hs_communication_channel_type", "WHATS_APP")),
///     FilterGroup::new()
///         .filter(Filter::eq("hs_communication_channel_type", "SMS"))
///         .filter(Filter::contains_token("hs_communication_body", "contract")),
/// ]);
/// ```
///
/// HubSpot's request has filter groups only (a result matches every filter of one group):
/// the search sends each alternative with the common filters added, so mind HubSpot's limits
/// (5 groups, 6 filters a group, 18 in all, a body of at most 3,000 characters:
/// [`MAX_SEARCH_BODY_CHARS`]), which are checked before sending.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Search {
    /// What every result matches.
    filters: Vec<Filter>,
    /// What a result matches at least one of (none: no alternative to choose).
    alternatives: Vec<FilterGroup>,
    sorts: Vec<Sort>,
    query: Option<String>,
    properties: Vec<String>,
    page_size: Option<u32>,
}

impl Search {
    /// Every message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a filter that every result matches.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Adds alternatives: a result matches at least one of the groups given here (over every
    /// call), as well as every [`filter`](Self::filter).
    pub fn any_of(mut self, groups: impl IntoIterator<Item = FilterGroup>) -> Self {
        self.alternatives.extend(groups);
        self
    }

    /// HubSpot's filter groups: the alternatives, each with the common filters.
    fn groups(&self) -> Vec<Vec<Filter>> {
        if self.alternatives.is_empty() {
            return match self.filters.is_empty() {
                true => Vec::new(),
                false => vec![self.filters.clone()],
            };
        }
        self.alternatives
            .iter()
            .map(|group| self.filters.iter().chain(&group.0).cloned().collect())
            .collect()
    }

    /// Adds a sort.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sorts.push(sort);
        self
    }

    /// Free text to look for in the default searchable properties.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// Returns these properties instead of the defaults.
    pub fn properties<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.properties.extend(names.into_iter().map(Into::into));
        self
    }

    /// Results per request: at most 200; 100 by default.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Results per request.
    pub(crate) fn limit(&self) -> u32 {
        self.page_size.unwrap_or(100)
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        let invalid = |message: String| Err(Error::InvalidInput(message));
        let size = self.limit();
        if size == 0 || size > MAX_SEARCH_PAGE_SIZE {
            return invalid(format!(
                "a search page holds 1 to {MAX_SEARCH_PAGE_SIZE} results, not {size}"
            ));
        }
        let groups = self.groups();
        if groups.len() > MAX_FILTER_GROUPS {
            return invalid(format!(
                "HubSpot allows {MAX_FILTER_GROUPS} filter groups, not {}",
                groups.len()
            ));
        }
        if let Some(group) = groups.iter().find(|g| g.len() > MAX_FILTERS_PER_GROUP) {
            return invalid(format!(
                "HubSpot allows {MAX_FILTERS_PER_GROUP} filters in a group, not {}",
                group.len()
            ));
        }
        let total: usize = groups.iter().map(Vec::len).sum();
        if total > MAX_FILTERS {
            return invalid(format!(
                "HubSpot allows {MAX_FILTERS} filters in all, not {total}"
            ));
        }
        Ok(())
    }

    /// How many characters the request's body holds (compact JSON, as sent), with `after`.
    pub(crate) fn body_chars(&self, after: Option<String>) -> usize {
        serde_json::to_string(&self.to_request(after))
            .map_or(usize::MAX, |body| body.chars().count())
    }

    /// Refuses a body HubSpot would refuse: over [`MAX_SEARCH_BODY_CHARS`].
    pub(crate) fn check_body(&self, after: Option<String>) -> Result<(), Error> {
        let chars = self.body_chars(after);
        if chars > MAX_SEARCH_BODY_CHARS {
            return Err(Error::InvalidInput(format!(
                "the search's body would hold {chars} characters: HubSpot refuses more than {MAX_SEARCH_BODY_CHARS} (fewer filter values, properties or a shorter query)"
            )));
        }
        Ok(())
    }

    pub(crate) fn to_request(&self, after: Option<String>) -> types::PublicObjectSearchRequest {
        types::PublicObjectSearchRequest {
            after,
            filter_groups: self
                .groups()
                .into_iter()
                .map(|filters| types::FilterGroup {
                    filters: filters.into_iter().map(|f| f.0).collect(),
                })
                .collect(),
            limit: Some(self.limit() as i32),
            properties: self.properties.clone(),
            query: self.query.clone(),
            sorts: self.sorts.iter().map(|s| s.0.clone()).collect(),
        }
    }

    /// The same search restricted to ids after `last_id`, in id order: one window of
    /// [`Client::search_past_cap`](crate::Client::search_past_cap).
    pub(crate) fn after_id(&self, last_id: Option<&str>) -> Self {
        let mut window = self.clone();
        window.sorts = vec![Sort::ascending(property::OBJECT_ID)];
        if let Some(last_id) = last_id {
            window
                .filters
                .push(Filter::gt(property::OBJECT_ID, last_id));
        }
        window
    }
}

/// A page of search results with HubSpot's count of all matches.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SearchPage {
    /// The page.
    pub page: Page<Message>,
    /// How many messages match in all.
    pub total: u64,
}

impl SearchPage {
    /// A page of a search that matches `total` messages in all.
    pub fn new(page: Page<Message>, total: u64) -> Self {
        Self { page, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubspot_limits_are_checked_before_sending() {
        assert!(Search::new().page_size(201).check().is_err());
        assert!(Search::new().page_size(200).check().is_ok());
        let group = |i: i32| FilterGroup::new().filter(Filter::eq("p", i.to_string()));
        assert!(Search::new().any_of((0..5).map(group)).check().is_ok());
        assert!(Search::new().any_of((0..6).map(group)).check().is_err());
        // HubSpot's search guide: 6 filters a group, 18 in all. The common filters count in
        // every group: 3 + 4 > 6.
        let common = (0..3).fold(Search::new(), |s, i| {
            s.filter(Filter::eq("c", i.to_string()))
        });
        let wide = FilterGroup::new();
        let wide = (0..4).fold(wide, |g, i| g.filter(Filter::eq("w", i.to_string())));
        assert!(common.clone().any_of([wide.clone()]).check().is_err());
        let seven = (0..7).fold(Search::new(), |s, i| {
            s.filter(Filter::eq("p", i.to_string()))
        });
        assert!(seven.check().is_err());
        let six = |g: i32| {
            (0..6).fold(FilterGroup::new(), |f, i| {
                f.filter(Filter::eq("p", format!("{g}{i}")))
            })
        };
        assert!(Search::new().any_of((0..3).map(six)).check().is_ok());
        assert!(
            Search::new().any_of((0..4).map(six)).check().is_err(),
            "24 > 18"
        );
        // A body over 3,000 characters, counted as sent (characters, not bytes).
        let empty = Search::new().query("").body_chars(None);
        let fits = Search::new().query("é".repeat(MAX_SEARCH_BODY_CHARS - empty));
        assert_eq!(fits.body_chars(None), MAX_SEARCH_BODY_CHARS);
        assert!(fits.check_body(None).is_ok());
        let over = Search::new().query("é".repeat(MAX_SEARCH_BODY_CHARS - empty + 1));
        assert!(matches!(over.check_body(None), Err(Error::InvalidInput(m)) if m.contains("3000")));
        assert!(
            fits.check_body(Some("100".into())).is_err(),
            "the cursor counts too"
        );
    }

    #[test]
    fn common_filters_join_every_alternative_and_nothing_groups_by_order() {
        let x = || Filter::eq("x", "1");
        let (a, b, c) = (
            Filter::eq("a", "1"),
            Filter::eq("b", "2"),
            Filter::eq("c", "3"),
        );
        let search = Search::new()
            .filter(x())
            .any_of([FilterGroup::new().filter(a.clone()).filter(b.clone())])
            .any_of([FilterGroup::new().filter(c.clone())]);
        let names = |s: &Search| -> Vec<Vec<String>> {
            s.to_request(None)
                .filter_groups
                .iter()
                .map(|g| g.filters.iter().map(|f| f.property_name.clone()).collect())
                .collect()
        };
        // x AND ((a AND b) OR c), whatever order the calls came in.
        assert_eq!(names(&search), [vec!["x", "a", "b"], vec!["x", "c"]]);
        let reordered = Search::new()
            .any_of([FilterGroup::new().filter(a).filter(b)])
            .filter(x())
            .any_of([FilterGroup::new().filter(c)]);
        assert_eq!(names(&reordered), names(&search));
        assert_eq!(names(&Search::new().filter(x())), [vec!["x"]]);
        assert!(names(&Search::new()).is_empty());
    }

    #[test]
    fn a_window_adds_the_id_filter_to_every_group_and_sorts_by_id() {
        let search = Search::new().filter(Filter::eq("a", "1")).any_of([
            FilterGroup::new().filter(Filter::eq("b", "2")),
            FilterGroup::new().filter(Filter::eq("c", "3")),
        ]);
        let request = search.after_id(Some("42")).to_request(None);
        assert_eq!(request.filter_groups.len(), 2);
        for group in &request.filter_groups {
            let id = group
                .filters
                .iter()
                .find(|f| f.property_name == "hs_object_id")
                .unwrap();
            assert_eq!(id.value.as_deref(), Some("42"));
        }
        assert_eq!(request.sorts[0].property_name, "hs_object_id");
    }
}
