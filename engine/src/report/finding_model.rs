//! The findings of the report model: a failing expectation ([`Finding`]), the values that
//! made it fail ([`FindingValues`]) and the evidence it rests on ([`EvidenceRef`]).

use serde::Serialize;

/// One failing expectation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The interpolated `else` message (or a default naming the condition).
    pub message: String,
    /// The evidence it rests on, sorted by path then location, without duplicates: the first
    /// [`MAX_FINDING_EVIDENCE`](super::model::MAX_FINDING_EVIDENCE) in that order.
    pub evidence: Vec<EvidenceRef>,
    /// How many more evidence records it rests on than `evidence` lists (written only when
    /// some are left out).
    #[serde(skip_serializing_if = "is_zero")]
    pub evidence_omitted: usize,
    /// The values that made it fail: each binding and compared operand, by name, as text.
    #[serde(skip_serializing_if = "FindingValues::is_empty")]
    pub values: FindingValues,
    /// Where the `expect` is: `SOURCE:LINE`.
    pub expect: String,
    /// Its fingerprint (`vf1:` and 24 hex digits, see [`crate::waivers::fingerprint`]): the
    /// name a waiver gives it in `findings = [...]`.
    pub fingerprint: String,
    /// What it is about: the element of the outermost `for` loop it was found in (an
    /// artifact's path, a URL, a vulnerability id), or the unreadable file; a waiver's
    /// `subject` names it exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// It says evidence is missing or unreadable (a collection that is empty or none, an
    /// `expect` that only tests that evidence exists, an unknown condition, an unreadable
    /// file): waivable only where the authority permits waiving missing evidence.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing_evidence: bool,
    /// The id of the waiver that covers it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<String>,
}

/// A finding's values by name, sorted by name, each name once; written as a JSON object.
///
/// A sorted vector rather than a `BTreeMap`: a finding has a handful of values, and a map's
/// first node alone takes half a kilobyte, which a report of 100,000 findings pays 100,000
/// times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingValues(Vec<(String, String)>);

impl FindingValues {
    /// No values.
    pub fn new() -> Self {
        FindingValues(Vec::new())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sets `name` to `value` (replacing an earlier value of that name).
    pub fn insert(&mut self, name: String, value: String) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&name)) {
            Ok(at) => {
                if let Some(slot) = self.0.get_mut(at) {
                    slot.1 = value;
                }
            }
            Err(at) => self.0.insert(at, (name, value)),
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .and_then(|at| self.0.get(at))
            .map(|(_, v)| v)
    }

    /// Frees spare capacity (a finding's values do not grow after it is made).
    pub fn shrink(&mut self) {
        self.0.shrink_to_fit();
    }

    /// The values (without their names) in name order.
    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(_, v)| v)
    }

    /// The values in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Extend<(String, String)> for FindingValues {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(String, String)> for FindingValues {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut values = FindingValues::new();
        values.extend(iter);
        values.0.shrink_to_fit();
        values
    }
}

impl<'a> IntoIterator for &'a FindingValues {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Serialize for FindingValues {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A piece of evidence a finding rests on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EvidenceRef {
    /// Bundle-relative path.
    pub path: String,
    /// sha256 of the file (lowercase hex).
    pub sha256: String,
    /// Where inside the file, when known: `line N` or a JSON pointer such as `/vulnerabilities/3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}
