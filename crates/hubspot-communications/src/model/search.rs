//! A search: the builder of HubSpot's search request, with its limits checked before sending.

use hubspot_communications_raw::{FilterOperator, types};

use super::message::{Message, property};
use super::page::Page;
use crate::error::Error;

/// HubSpot's search returns at most this many results per query.
pub const SEARCH_RESULT_CAP: u32 = 10_000;
/// HubSpot's largest search page.
pub const MAX_SEARCH_PAGE_SIZE: u32 = 200;
const MAX_FILTER_GROUPS: usize = 5;
const MAX_FILTERS_PER_GROUP: usize = 10;
const MAX_FILTERS: usize = 25;
const MAX_QUERY_CHARS: usize = 3000;

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
            operator,
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

/// A search for messages: filter groups (a message matches if it matches every filter of at
/// least one group), sorts, a free-text query and the properties to return.
///
/// ```
/// use hubspot_communications::search::{Filter, Search, Sort};
///
/// let sms_about_contracts = Search::new()
///     .filter(Filter::eq("hs_communication_channel_type", "SMS"))
///     .filter(Filter::contains_token("hs_communication_body", "contract"))
///     .sort(Sort::descending("hs_timestamp"))
///     .properties(["hs_communication_body"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Search {
    groups: Vec<Vec<Filter>>,
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

    /// Adds a filter to the last group (all of a group's filters must match).
    pub fn filter(mut self, filter: Filter) -> Self {
        match self.groups.last_mut() {
            Some(group) => group.push(filter),
            None => self.groups.push(vec![filter]),
        }
        self
    }

    /// Starts another group of filters: a message matching any group matches.
    pub fn or(mut self, filter: Filter) -> Self {
        self.groups.push(vec![filter]);
        self
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
        if self.groups.len() > MAX_FILTER_GROUPS {
            return invalid(format!(
                "HubSpot allows {MAX_FILTER_GROUPS} filter groups, not {}",
                self.groups.len()
            ));
        }
        if let Some(group) = self.groups.iter().find(|g| g.len() > MAX_FILTERS_PER_GROUP) {
            return invalid(format!(
                "HubSpot allows {MAX_FILTERS_PER_GROUP} filters in a group, not {}",
                group.len()
            ));
        }
        let total: usize = self.groups.iter().map(Vec::len).sum();
        if total > MAX_FILTERS {
            return invalid(format!(
                "HubSpot allows {MAX_FILTERS} filters in all, not {total}"
            ));
        }
        if self
            .query
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
        {
            return invalid(format!(
                "a search query holds at most {MAX_QUERY_CHARS} characters"
            ));
        }
        Ok(())
    }

    pub(crate) fn to_request(&self, after: Option<String>) -> types::PublicObjectSearchRequest {
        types::PublicObjectSearchRequest {
            after,
            filter_groups: self
                .groups
                .iter()
                .map(|filters| types::FilterGroup {
                    filters: filters.iter().map(|f| f.0.clone()).collect(),
                })
                .collect(),
            limit: Some(self.limit() as i32),
            properties: self.properties.clone(),
            query: self.query.clone(),
            sorts: self.sorts.iter().map(|s| s.0.clone()).collect(),
        }
    }

    /// The same search restricted to ids after `last_id`, in id order: one window of
    /// [`Client::search_all`].
    pub(crate) fn after_id(&self, last_id: Option<&str>) -> Self {
        let mut window = self.clone();
        window.sorts = vec![Sort::ascending(property::OBJECT_ID)];
        if let Some(last_id) = last_id {
            let past = Filter::gt(property::OBJECT_ID, last_id);
            if window.groups.is_empty() {
                window.groups.push(Vec::new());
            }
            window
                .groups
                .iter_mut()
                .for_each(|group| group.push(past.clone()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubspot_limits_are_checked_before_sending() {
        assert!(Search::new().page_size(201).check().is_err());
        assert!(Search::new().page_size(200).check().is_ok());
        let six_groups = (0..6).fold(Search::new(), |s, i| s.or(Filter::eq("p", i.to_string())));
        assert!(six_groups.check().is_err());
        let eleven = (0..11).fold(Search::new(), |s, i| {
            s.filter(Filter::eq("p", i.to_string()))
        });
        assert!(eleven.check().is_err());
        assert!(Search::new().query("x".repeat(3001)).check().is_err());
    }

    #[test]
    fn a_window_adds_the_id_filter_to_every_group_and_sorts_by_id() {
        let search = Search::new()
            .filter(Filter::eq("a", "1"))
            .or(Filter::eq("b", "2"));
        let request = search.after_id(Some("42")).to_request(None);
        for group in &request.filter_groups {
            let last = group.filters.last().unwrap();
            assert_eq!(
                (last.property_name.as_str(), last.value.as_deref()),
                ("hs_object_id", Some("42"))
            );
        }
        assert_eq!(request.sorts[0].property_name, "hs_object_id");
    }
}
