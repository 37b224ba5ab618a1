//! The object types of HubSpot's CRM, by the names its paths use.
//!
//! Apart from `record` so that `error` can name one without depending on what depends on it.

model_open_enum! {
    /// A CRM object type, by the name HubSpot uses in paths. Parsing also reads the singular
    /// name and the object type id (`contact`, `0-1`).
    pub enum ObjectType {
        /// Contacts (`0-1`).
        Contact = "contacts" | "contact" | "0-1",
        /// Companies (`0-2`).
        Company = "companies" | "company" | "0-2",
        /// Deals (`0-3`).
        Deal = "deals" | "deal" | "0-3",
        /// Tickets (`0-5`).
        Ticket = "tickets" | "ticket" | "0-5",
        /// Messages themselves (`0-18`): the `from` of
        /// [`Client::read_associations`](crate::Client::read_associations) for messages'
        /// records, its `to` for records' messages.
        Communication = "communications" | "communication" | "0-18",
    }
}
