//! Tests of the run-time values (kept beside `value.rs` to keep it short).
use super::*;

#[test]
fn numbers_compare_across_int_and_number() {
    assert!(Value::Int(7).equals(&Value::Number(7.0)));
    assert_eq!(
        Value::Int(7).order(&Value::Number(7.5)),
        Some(Ordering::Less)
    );
    assert!(!Value::Int(7).equals(&Value::None));
    assert!(Value::None.equals(&Value::None));
}

#[test]
fn a_none_makes_equality_unknown_unless_the_known_parts_differ() {
    let s = Value::str;
    assert_eq!(Value::None.known_equals(&Value::None), None);
    assert_eq!(s("x").known_equals(&Value::None), None);
    assert_eq!(Value::None.known_equals(&Value::Int(0)), None);
    assert_eq!(s("x").known_equals(&s("x")), Some(true));
    let list = |items: Vec<Value>| Value::list(items);
    // Positions: a known difference decides, otherwise a none leaves it unknown.
    assert_eq!(
        list(vec![Value::None, s("a")]).known_equals(&list(vec![s("x"), s("b")])),
        Some(false)
    );
    assert_eq!(
        list(vec![Value::None, s("a")]).known_equals(&list(vec![s("x"), s("a")])),
        None
    );
    assert_eq!(
        list(vec![Value::None]).known_equals(&list(vec![s("x"), s("a")])),
        Some(false)
    );
    // A set's none might be any element: {none, "a"} could be {"a", "b"}.
    let set = Value::set(vec![Value::None, s("a")]);
    assert_eq!(set.known_equals(&Value::set(vec![s("a"), s("b")])), None);
    let table = |v: Value| Value::Table(Arc::new(BTreeMap::from([("k".to_owned(), v)])));
    assert_eq!(table(Value::None).known_equals(&table(s("x"))), None);
    assert_eq!(table(s("y")).known_equals(&table(s("x"))), Some(false));
    // The presence test still sees none as a value.
    assert!(list(vec![Value::None]).equals(&list(vec![Value::None])));
}

#[test]
fn dates_order_against_datetimes_at_midnight_utc() {
    let d = Value::Date("2026-04-01".parse().unwrap());
    let t = Value::DateTime("2026-04-01T00:00:00Z".parse().unwrap());
    let later = Value::DateTime("2026-04-01T00:00:01Z".parse().unwrap());
    assert_eq!(d.order(&t), Some(Ordering::Equal));
    assert_eq!(d.order(&later), Some(Ordering::Less));
}

#[test]
fn severities_are_ordered_statuses_are_not() {
    let high = Value::enumerated("severity", "high");
    let low = Value::enumerated("severity", "low");
    assert_eq!(high.order(&low), Some(Ordering::Greater));
    let a = Value::enumerated("vuln_status", "affected");
    let b = Value::enumerated("vuln_status", "fixed");
    assert_eq!(a.order(&b), None);
    assert!(!a.equals(&b));
}

#[test]
fn sets_sort_and_dedupe() {
    let s = Value::set(vec![Value::str("b"), Value::str("a"), Value::str("b")]);
    assert_eq!(s.to_string(), "[\"a\", \"b\"]");
}

#[test]
fn dropping_in_parallel_leaves_shared_values_alone() {
    let text = Value::str("kept");
    let long = Value::list((0..5000).map(|_| text.clone()).collect());
    let held = long.clone();
    long.drop_parallel();
    assert_eq!(held.elements().map(<[Value]>::len), Some(5000));
    held.drop_parallel();
    let Value::Str(text) = text else {
        panic!("not a string")
    };
    assert_eq!(Arc::strong_count(&text), 1);
}

#[test]
fn display() {
    assert_eq!(Value::Number(9.0).to_string(), "9.0");
    assert_eq!(Value::Number(7.25).to_string(), "7.25");
    let long = Value::list((0..7).map(Value::Int).collect());
    assert_eq!(long.to_string(), "[0, 1, 2, 3, 4, ... (7 in all)]");
}

#[test]
fn texts_are_the_same_exactly_when_their_bytes_are() {
    // Every length around the eight-byte words, differing at each position (first, last, in
    // the unaligned tail) or not at all, and in multi-byte text.
    for len in 0..=40 {
        let a: String = (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        assert!(same_text(&a, &a.clone()), "{a}");
        for at in 0..len {
            let mut b = a.clone().into_bytes();
            b[at] = b'#';
            let b = String::from_utf8(b).unwrap();
            assert!(!same_text(&a, &b), "{a} {b}");
        }
        assert!(!same_text(&a, &format!("{a}x")));
    }
    assert!(same_text("é-ü-日本語-path", "é-ü-日本語-path"));
    assert!(!same_text("é-ü-日本語-patH", "é-ü-日本語-path"));
    assert!(Value::str("dist/x").equals(&Value::str("dist/x")));
    assert!(!Value::str("dist/x").equals(&Value::str("dist/y")));
}
