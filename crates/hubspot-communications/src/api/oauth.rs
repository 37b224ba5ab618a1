//! The OAuth token exchanges (an account's refresh, an app's own token): how the token keeper
//! (`auth`) reaches HubSpot's token endpoint through the one request path.

use hubspot_communications_raw::{
    AccessTokenResponse, ClientCredentialsTokenBody, ClientCredentialsTokenResponse,
    CreateTokenBody,
};

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

    fn create_client_credentials_token(
        &self,
        body: ClientCredentialsTokenBody,
    ) -> BoxFuture<'_, Result<ClientCredentialsTokenResponse, Error>> {
        Box::pin(self.execute(Operation::CreateAppToken, move |raw| {
            raw.client_credentials
                .create_client_credentials_token()
                .body(body.clone())
                .send()
        }))
    }

    fn learn_account_id(&self, hub_id: u64) {
        Client::learn_account_id(self, hub_id);
    }

    fn account_id(&self) -> Option<u64> {
        Client::account_id(self)
    }
}
