//! HubSpot's API versions: which paths every call of the client goes to.

use std::fmt;
use std::str::FromStr;

use hubspot_communications_raw as raw;

use crate::error::Error;

/// A version of HubSpot's API. Every call of the client works on every version; the client
/// routes each to the version's own endpoint.
///
/// | variant | paths | HubSpot's support (as of 2026-11) |
/// |---|---|---|
/// | [`ApiVersion::V2026_09`] (the default) | `/crm/objects/2026-09/…`, `/crm/associations/2026-09/…` | current; supported until March 2028 |
/// | [`ApiVersion::V2026_03`] | `/crm/objects/2026-03/…`, `/crm/associations/2026-03/…` | supported until September 2027 |
/// | [`ApiVersion::V3`] | the guide's `/crm/v3/objects/…`, with `/crm/v4/…` associations | unsupported from September 2027 (v4 from March 2027) |
///
/// What differs, and how the client keeps one behaviour: 2026-09 lists a record's
/// associations only through the association batch read, which the client uses there; only v3
/// has the guide's typed association path, so elsewhere an association is made through the
/// labelled `PUT`, and one type is removed by removing the pair's associations and putting
/// back the others; 2026-09 enforces the account's validation rules on writes
/// ([`Error::is_validation_error`](crate::Error::is_validation_error)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum ApiVersion {
    /// The guide's v3 paths, with v4 associations.
    V3,
    /// HubSpot's March 2026 version.
    V2026_03,
    /// HubSpot's September 2026 version: the newest, and the default.
    #[default]
    V2026_09,
}

impl ApiVersion {
    /// Every version the client speaks, oldest first.
    pub const ALL: [Self; 3] = [Self::V3, Self::V2026_03, Self::V2026_09];

    /// The newest version the client speaks: the default.
    pub const LATEST: Self = Self::V2026_09;

    /// HubSpot's name for the version: `v3`, `2026-03`, `2026-09`.
    pub fn name(self) -> &'static str {
        match self {
            Self::V3 => "v3",
            Self::V2026_03 => "2026-03",
            Self::V2026_09 => "2026-09",
        }
    }

    /// The version's paths and operations, from the generated client.
    pub(crate) fn paths(self) -> Result<&'static raw::ApiVersionPaths, Error> {
        raw::ApiVersionPaths::get(self.name()).ok_or_else(|| {
            Error::InvalidSetting(format!("the raw client has no paths for version {self}"))
        })
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ApiVersion {
    type Err = Error;

    /// Reads HubSpot's name (`v3`, `2026-03`, `2026-09`); `v4` is v3's associations.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|version| version.name().eq_ignore_ascii_case(name))
            .or_else(|| name.eq_ignore_ascii_case("v4").then_some(Self::V3))
            .ok_or_else(|| Error::UnknownApiVersion(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_its_generated_paths_and_the_newest_is_the_default() {
        for version in ApiVersion::ALL {
            let paths = version.paths().unwrap();
            assert_eq!(paths.name, version.name());
            assert_eq!(version.name().parse::<ApiVersion>().unwrap(), version);
        }
        assert_eq!(ApiVersion::default(), ApiVersion::LATEST);
        assert_eq!(
            raw::API_VERSIONS.len(),
            ApiVersion::ALL.len(),
            "a version generated but not offered"
        );
        assert!(ApiVersion::ALL.iter().all(|v| *v <= ApiVersion::LATEST));
        assert!("2025-09".parse::<ApiVersion>().is_err());
    }
}
