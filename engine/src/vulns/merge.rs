//! Merging statements about the same vulnerability: union by shared ids, then one view.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Band, SourceKind, StatedCvss, VulnStatement, VulnStatus, primary_id};

/// One vulnerability, merged from every statement that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedVuln {
    /// The primary id (a CVE when any statement gives one), upper case.
    pub id: String,
    /// Every other id, upper case, sorted.
    pub aliases: Vec<String>,
    /// The severity word of the most authoritative statement that states one.
    pub severity: Option<Band>,
    /// The CVSS vector of the most authoritative statement that states one.
    pub cvss: Option<StatedCvss>,
    /// The status: the most authoritative explicit one; else `fixed` when a fix date is
    /// known, else `affected`.
    pub status: VulnStatus,
    /// The justification given with that status.
    pub justification: Option<String>,
    /// The earliest discovery date any statement gives.
    pub discovered: Option<Timestamp>,
    /// The earliest disclosure date.
    pub disclosed: Option<Timestamp>,
    /// The earliest fix date.
    pub fixed_at: Option<Timestamp>,
    /// The fixing version of the most authoritative statement that gives one.
    pub fixed_in: Option<String>,
    /// The statements merged, as indexes into the input, in input order.
    pub statements: Vec<usize>,
}

/// Statements about one vulnerability that contradict each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The merged vulnerability's id.
    pub id: String,
    /// What differs (one line).
    pub message: String,
    /// The statements involved, as input indexes.
    pub statements: Vec<usize>,
}

/// Merges statements (each with the kind of its source) into vulnerabilities sorted by id,
/// and lists contradictions between equally authoritative sources.
pub fn merge(statements: &[(SourceKind, &VulnStatement)]) -> (Vec<MergedVuln>, Vec<Conflict>) {
    let groups = group(statements);
    let mut merged = Vec::with_capacity(groups.len());
    let mut conflicts = Vec::new();
    for members in groups {
        let (vuln, mut found) = merge_group(statements, members);
        merged.push(vuln);
        conflicts.append(&mut found);
    }
    merged.sort_by(|a, b| a.id.cmp(&b.id));
    conflicts.sort_by(|a, b| (&a.id, &a.message).cmp(&(&b.id, &b.message)));
    (merged, conflicts)
}

/// Groups statement indexes that share an id (transitively), each group in input order.
fn group(statements: &[(SourceKind, &VulnStatement)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..statements.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while let Some(&p) = parent.get(i) {
            if p == i {
                break;
            }
            let grand = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(i) {
                *slot = grand;
            }
            i = p;
        }
        i
    }
    let mut owner: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (_, s)) in statements.iter().enumerate() {
        for id in s.ids() {
            match owner.get(&id.to_ascii_uppercase()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        let (low, high) = (a.min(b), a.max(b));
                        if let Some(slot) = parent.get_mut(high) {
                            *slot = low;
                        }
                    }
                }
                None => {
                    owner.insert(id.to_ascii_uppercase(), i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..statements.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    groups.into_values().collect()
}

fn merge_group(
    statements: &[(SourceKind, &VulnStatement)],
    members: Vec<usize>,
) -> (MergedVuln, Vec<Conflict>) {
    let all: Vec<(usize, SourceKind, &VulnStatement)> = members
        .iter()
        .filter_map(|&i| statements.get(i).map(|(k, s)| (i, *k, *s)))
        .collect();
    let id = primary_id(all.iter().flat_map(|(_, _, s)| s.ids())).unwrap_or_default();
    let mut aliases: Vec<String> = all
        .iter()
        .flat_map(|(_, _, s)| s.ids())
        .map(str::to_ascii_uppercase)
        .filter(|a| *a != id)
        .collect();
    aliases.sort();
    aliases.dedup();
    // Most authoritative first; later statements of the same kind after earlier ones.
    let mut ranked = all.clone();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let first = |f: &dyn Fn(&VulnStatement) -> bool| ranked.iter().find(|(_, _, s)| f(s));
    let explicit = first(&|s| s.status.is_some());
    let earliest = |f: &dyn Fn(&VulnStatement) -> Option<Timestamp>| {
        all.iter().filter_map(|(_, _, s)| f(s)).min()
    };
    let fixed_at = earliest(&|s| s.fixed_at);
    let status = explicit
        .and_then(|(_, _, s)| s.status)
        .unwrap_or(if fixed_at.is_some() {
            VulnStatus::Fixed
        } else {
            VulnStatus::Affected
        });
    let mut conflicts = Vec::new();
    if let Some((_, kind, chosen)) = explicit {
        let disagreeing: Vec<usize> = ranked
            .iter()
            .filter(|(_, k, s)| k == kind && s.status.is_some() && s.status != chosen.status)
            .map(|(i, _, _)| *i)
            .collect();
        if !disagreeing.is_empty() {
            let mut involved: Vec<usize> = ranked
                .iter()
                .filter(|(_, k, s)| k == kind && s.status.is_some())
                .map(|(i, _, _)| *i)
                .collect();
            involved.sort_unstable();
            conflicts.push(Conflict {
                id: id.clone(),
                message: format!(
                    "{} sources disagree on its status ({}); the first, `{}`, is used",
                    kind.as_str(),
                    statuses(&ranked, *kind),
                    status.as_str()
                ),
                statements: involved,
            });
        }
    }
    let vuln = MergedVuln {
        aliases,
        severity: first(&|s| s.severity.is_some()).and_then(|(_, _, s)| s.severity),
        cvss: first(&|s| !s.cvss.is_empty()).and_then(|(_, _, s)| s.cvss.first().cloned()),
        status,
        justification: explicit.and_then(|(_, _, s)| s.justification.clone()),
        discovered: earliest(&|s| s.discovered),
        disclosed: earliest(&|s| s.disclosed),
        fixed_at,
        fixed_in: first(&|s| s.fixed_in.is_some()).and_then(|(_, _, s)| s.fixed_in.clone()),
        statements: members,
        id,
    };
    (vuln, conflicts)
}

fn statuses(ranked: &[(usize, SourceKind, &VulnStatement)], kind: SourceKind) -> String {
    let mut names: Vec<&str> = ranked
        .iter()
        .filter(|(_, k, _)| *k == kind)
        .filter_map(|(_, _, s)| s.status.map(VulnStatus::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(id: &str, aliases: &[&str]) -> VulnStatement {
        let mut s = VulnStatement::new(id);
        s.aliases = aliases.iter().map(|a| (*a).to_owned()).collect();
        s
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn a_cve_in_one_file_and_its_ghsa_alias_in_another_are_one_vulnerability() {
        let scan = st("GHSA-aaaa-bbbb-cccc", &[]);
        let mut advisory = st("CVE-2024-0001", &["GHSA-aaaa-bbbb-cccc"]);
        advisory.fixed_at = Some(at("2024-02-01T00:00:00Z"));
        let other = st("CVE-2024-0002", &[]);
        let input = [
            (SourceKind::Scan, &scan),
            (SourceKind::Advisory, &advisory),
            (SourceKind::Scan, &other),
        ];
        let (merged, conflicts) = merge(&input);
        assert!(conflicts.is_empty());
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].id, "CVE-2024-0001");
        assert_eq!(merged[0].aliases, ["GHSA-AAAA-BBBB-CCCC"]);
        assert_eq!(merged[0].statements, [0, 1]);
        assert_eq!(merged[0].status, VulnStatus::Fixed);
        assert_eq!(merged[1].status, VulnStatus::Affected);
    }

    #[test]
    fn aliases_chain_transitively() {
        let a = st("A-1", &["B-1"]);
        let b = st("C-1", &[]);
        let c = st("B-1", &["C-1"]);
        let (merged, _) = merge(&[
            (SourceKind::Scan, &a),
            (SourceKind::Scan, &b),
            (SourceKind::Scan, &c),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].statements, [0, 1, 2]);
    }

    #[test]
    fn vex_status_beats_a_scan_and_equal_sources_that_disagree_conflict() {
        let scan = st("CVE-1", &[]);
        let mut vex = st("CVE-1", &[]);
        vex.status = Some(VulnStatus::NotAffected);
        vex.justification = Some("vulnerable_code_not_present".into());
        let mut vex2 = st("CVE-1", &[]);
        vex2.status = Some(VulnStatus::Affected);
        let (merged, conflicts) = merge(&[
            (SourceKind::Scan, &scan),
            (SourceKind::Vex, &vex),
            (SourceKind::Vex, &vex2),
        ]);
        assert_eq!(merged[0].status, VulnStatus::NotAffected);
        assert_eq!(
            merged[0].justification.as_deref(),
            Some("vulnerable_code_not_present")
        );
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].statements, [1, 2]);
        assert!(conflicts[0].message.contains("affected, not_affected"));
    }

    #[test]
    fn dates_are_the_earliest_given() {
        let mut a = st("CVE-1", &[]);
        a.discovered = Some(at("2024-03-01T00:00:00Z"));
        let mut b = st("CVE-1", &[]);
        b.discovered = Some(at("2024-01-01T00:00:00Z"));
        b.disclosed = Some(at("2024-02-01T00:00:00Z"));
        let (merged, _) = merge(&[(SourceKind::Register, &a), (SourceKind::Scan, &b)]);
        assert_eq!(merged[0].discovered, Some(at("2024-01-01T00:00:00Z")));
        assert_eq!(merged[0].disclosed, Some(at("2024-02-01T00:00:00Z")));
    }
}
