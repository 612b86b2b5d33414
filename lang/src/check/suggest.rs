//! "Did you mean" suggestions for misspelt names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            (
                strsim::damerau_levenshtein(&name.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// A help line that suggests the closest candidate, or lists a few when none is close.
pub fn help_for<'a>(
    name: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut all: Vec<&str> = candidates.into_iter().collect();
    match closest(name, all.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => {
            all.sort_unstable();
            all.dedup();
            if all.is_empty() {
                return format!("there are no {what} here");
            }
            let shown: Vec<String> = all.iter().take(12).map(|c| format!("`{c}`")).collect();
            let more = if all.len() > 12 { ", ..." } else { "" };
            format!("{what}: {}{more}", shown.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            closest("signatrues", ["signatures", "sboms", "path"]),
            Some("signatures")
        );
        assert_eq!(closest("sha265", ["sha256", "size"]), Some("sha256"));
        assert_eq!(closest("xyz", ["signatures", "sboms"]), None);
    }
}
