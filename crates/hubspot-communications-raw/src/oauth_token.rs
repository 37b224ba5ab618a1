//! The OAuth token operations' bodies and answers, written by hand so that `Debug` prints no
//! secret (`spec/client.toml`, `[replace]`; `spec/patches/13-oauth-token-types.json` and
//! `17-client-credentials.json` name the bodies so that they can be replaced).
//!
//! Fields, serde attributes and `Option`s are those progenitor generated from the spec: the
//! form body is sent and the answer decoded exactly as before. The grant and token-use enums
//! stay generated ([`CreateTokenBodyGrantType`], [`AccessTokenResponseTokenUse`]).

use std::fmt;

use crate::open_enum::{
    AccessTokenResponseTokenUse, ClientCredentialsGrantType,
    ClientCredentialsTokenResponseTokenUse, CreateTokenBodyGrantType,
};

/// What `Debug` prints in place of a secret.
const REDACTED: &str = "<redacted>";

/// A secret for `Debug`: `<redacted>`, never its text.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// An optional secret for `Debug`: `None`, or `Some(<redacted>)`, so that whether it was
/// given still shows.
fn redacted<T>(secret: &Option<T>) -> Option<Redacted> {
    secret.as_ref().map(|_| Redacted)
}

/// The form body of `create_token` (POST `{oauth}/token`, `application/x-www-form-urlencoded`):
/// a grant and the app's credentials. Absent fields are not sent.
///
/// `Debug` prints `<redacted>` for the client secret, the authorization code, the PKCE code
/// verifier and the refresh token.
#[derive(serde::Deserialize, serde::Serialize, Clone, Default, PartialEq)]
pub struct CreateTokenBody {
    /// The app's client id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The app's client secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The authorization code (the `authorization_code` grant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The PKCE code verifier that goes with the authorization code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
    /// The grant: `authorization_code` or `refresh_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<CreateTokenBodyGrantType>,
    /// The redirect URI the authorization code was sent to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// The refresh token (the `refresh_token` grant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The scopes asked for, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for CreateTokenBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured, so that a field added here cannot be left out of Debug unnoticed.
        let Self {
            client_id,
            client_secret,
            code,
            code_verifier,
            grant_type,
            redirect_uri,
            refresh_token,
            scope,
        } = self;
        f.debug_struct("CreateTokenBody")
            .field("client_id", client_id)
            .field("client_secret", &redacted(client_secret))
            .field("code", &redacted(code))
            .field("code_verifier", &redacted(code_verifier))
            .field("grant_type", grant_type)
            .field("redirect_uri", redirect_uri)
            .field("refresh_token", &redacted(refresh_token))
            .field("scope", scope)
            .finish()
    }
}

/// The answer of `create_token`: a new access token, how long it lives, and the refresh token
/// to ask for the next one (HubSpot may rotate it).
///
/// `Debug` prints `<redacted>` for the access, refresh and id tokens.
#[derive(serde::Deserialize, serde::Serialize, Clone, PartialEq)]
pub struct AccessTokenResponse {
    /// The access token, sent as `Authorization: Bearer …`.
    pub access_token: String,
    /// Its life, in seconds.
    pub expires_in: i64,
    /// The HubSpot account (portal) the token is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_id: Option<i32>,
    /// An OpenID Connect id token, when the `openid` scope was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The refresh token to use next.
    pub refresh_token: String,
    /// The scopes granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// `bearer`.
    pub token_type: String,
    /// `access_token` (HubSpot's v1 answer leaves it out).
    #[serde(default)]
    pub token_use: AccessTokenResponseTokenUse,
    /// The user who installed the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i32>,
}

impl fmt::Debug for AccessTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            access_token: _,
            expires_in,
            hub_id,
            id_token,
            refresh_token: _,
            scopes,
            token_type,
            token_use,
            user_id,
        } = self;
        f.debug_struct("AccessTokenResponse")
            .field("access_token", &Redacted)
            .field("expires_in", expires_in)
            .field("hub_id", hub_id)
            .field("id_token", &redacted(id_token))
            .field("refresh_token", &Redacted)
            .field("scopes", scopes)
            .field("token_type", token_type)
            .field("token_use", token_use)
            .field("user_id", user_id)
            .finish()
    }
}

/// The form body of `create_client_credentials_token` (POST `{client_credentials}/token`,
/// `application/x-www-form-urlencoded`): the app's credentials and the scopes it asks for.
///
/// `Debug` prints `<redacted>` for the client secret.
#[derive(serde::Deserialize, serde::Serialize, Clone, PartialEq)]
pub struct ClientCredentialsTokenBody {
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
    /// The grant: `client_credentials`.
    pub grant_type: ClientCredentialsGrantType,
    /// The scopes asked for, space-separated (`developer.webhooks_journal.read`, …); the
    /// app's configured ones when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for ClientCredentialsTokenBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            client_id,
            client_secret: _,
            grant_type,
            scope,
        } = self;
        f.debug_struct("ClientCredentialsTokenBody")
            .field("client_id", client_id)
            .field("client_secret", &Redacted)
            .field("grant_type", grant_type)
            .field("scope", scope)
            .finish()
    }
}

/// The answer of `create_client_credentials_token`: the app's access token and how long it
/// lives. There is no refresh token: the app asks again.
///
/// `Debug` prints `<redacted>` for the access and id tokens.
#[derive(serde::Deserialize, serde::Serialize, Clone, PartialEq)]
pub struct ClientCredentialsTokenResponse {
    /// The access token, sent as `Authorization: Bearer …`.
    pub access_token: String,
    /// Its life, in seconds.
    pub expires_in: i64,
    /// The HubSpot account (portal) the token is for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_id: Option<i32>,
    /// An OpenID Connect id token, when the `openid` scope was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The scopes granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// `bearer`.
    pub token_type: String,
    /// `client_credentials` (HubSpot's v1 answers leave it out).
    #[serde(default)]
    pub token_use: ClientCredentialsTokenResponseTokenUse,
    /// The user, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i32>,
}

impl fmt::Debug for ClientCredentialsTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            access_token: _,
            expires_in,
            hub_id,
            id_token,
            scopes,
            token_type,
            token_use,
            user_id,
        } = self;
        f.debug_struct("ClientCredentialsTokenResponse")
            .field("access_token", &Redacted)
            .field("expires_in", expires_in)
            .field("hub_id", hub_id)
            .field("id_token", &redacted(id_token))
            .field("scopes", scopes)
            .field("token_type", token_type)
            .field("token_use", token_use)
            .field("user_id", user_id)
            .finish()
    }
}
