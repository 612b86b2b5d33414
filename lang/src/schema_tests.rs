//! Tests of the schema declaration (kept beside it to keep `schema.rs` short).
use super::*;

#[test]
fn every_field_type_parses() {
    for r in records() {
        for f in r.fields {
            assert!(
                parse_type(f.ty).is_some(),
                "{}.{}: `{}`",
                r.name,
                f.name,
                f.ty
            );
        }
    }
    for f in ROOTS {
        assert!(parse_type(f.ty).is_some(), "root {}: `{}`", f.name, f.ty);
    }
}

#[test]
fn enum_variants_are_unique_across_enums() {
    let mut seen = std::collections::BTreeSet::new();
    for e in ENUMS {
        for v in e.variants {
            assert!(seen.insert(*v), "variant `{v}` is in two enums");
        }
    }
}

#[test]
fn names_do_not_collide() {
    for r in records() {
        assert!(
            enum_def(r.name).is_none() && root_type(r.name).is_none(),
            "{}",
            r.name
        );
    }
}

#[test]
fn no_field_is_a_keyword() {
    // Keyword-named fields are readable after a dot (`a.control`), but a keyword makes a
    // poor field name elsewhere (`where control`); only `Attestation.control` is one.
    const KNOWN: &[(&str, &str)] = &[("Attestation", "control")];
    for r in records() {
        for f in r.fields {
            assert!(
                !crate::parse::KEYWORDS.contains(&f.name) || KNOWN.contains(&(r.name, f.name)),
                "`{}.{}` is a keyword",
                r.name,
                f.name
            );
        }
    }
    for f in ROOTS {
        assert!(
            !crate::parse::KEYWORDS.contains(&f.name),
            "root `{}`",
            f.name
        );
    }
}

#[test]
fn parses_nested_types() {
    assert_eq!(
        parse_type("table<severity, list<date?>>"),
        Some(Type::Table(
            Box::new(Type::Enum("severity")),
            Box::new(Type::List(Box::new(Type::Optional(Box::new(Type::Date)))))
        ))
    );
    assert_eq!(parse_type("list<"), None);
    assert_eq!(parse_type("Nope"), None);
}

#[test]
fn each_record_and_field_is_named_once_and_typed_as_declared() {
    let mut names = std::collections::BTreeSet::new();
    for r in records() {
        assert!(
            names.insert(r.name),
            "record `{}` is declared twice",
            r.name
        );
        let mut fields = std::collections::BTreeSet::new();
        for f in r.fields {
            assert!(fields.insert(f.name), "{}.{} twice", r.name, f.name);
            // The lazily parsed types are the declared ones.
            assert_eq!(field_type(r.name, f.name), parse_type(f.ty).as_ref());
        }
        assert_eq!(field_type(r.name, "no_such_field"), None);
    }
    for f in ROOTS {
        assert_eq!(root_type(f.name), parse_type(f.ty).as_ref());
    }
    assert_eq!(field_type("NoSuchRecord", "id"), None);
}
