//! The OAuth token exchange: how the token keeper (`auth`) reaches HubSpot's token endpoint
//! through the one request path.

use hubspot_communications_raw::{AccessTokenResponse, CreateTokenBody};

use crate::auth::{BoxFuture, TokenEndpoint};
use crate::client::Client;
use crate::error::Error;
use crate::operation::Operation;

impl TokenEndpoint for Client {
    fn create_token(
        &self,
        body: CreateTokenBody,
    ) -> BoxFuture<'_, Result<AccessTokenResponse, Error>> {
        Box::pin(self.execute(Operation::RefreshAccessToken, move |raw| {
            raw.oauth.create_token().body(body.clone()).send()
        }))
    }

    fn learn_account_id(&self, hub_id: u64) {
        Client::learn_account_id(self, hub_id);
    }

    fn account_id(&self) -> Option<u64> {
        Client::account_id(self)
    }
}
