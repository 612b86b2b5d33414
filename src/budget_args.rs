//! `--max-steps` and `--max-bytes`: the budget each control of an evaluation runs within.

use vouch_engine::eval::Budget;

/// The evaluation budget from `--max-steps` and `--max-bytes` (defaults for those not given).
pub fn budget(max_steps: Option<&str>, max_bytes: Option<&str>) -> Result<Budget, String> {
    let mut budget = Budget::default();
    if let Some(text) = max_steps {
        budget.max_steps = parse_count(text).ok_or_else(|| {
            format!(
                "`--max-steps {text}` is not a whole number of steps of at least 1 (e.g. 100000000)"
            )
        })?;
    }
    if let Some(text) = max_bytes {
        budget.max_bytes = parse_size(text).ok_or_else(|| {
            format!(
                "`--max-bytes {text}` is not a size of at least 1 byte: write bytes (1048576) or a number and a unit, B, KB, MB, GB, KiB, MiB or GiB (512MiB)"
            )
        })?;
    }
    Ok(budget)
}

/// A positive whole number (`_` may group digits); `None` for 0 or anything else.
fn parse_count(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

/// A positive size: bytes (`1048576`), or a number and a unit (`64MiB`, `64 MiB`, `500MB`,
/// `1gib`); `None` for 0, an unknown unit, or an overflow.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return None,
    };
    parse_count(number)?.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::{parse_count, parse_size};

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("64MiB"), Some(64 << 20));
        assert_eq!(parse_size("64 mib"), Some(64 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("500MB"), Some(500_000_000));
        assert_eq!(parse_size("1_000B"), Some(1000));
        assert_eq!(parse_size("1kib"), Some(1024));
        for bad in [
            "0",
            "0MiB",
            "",
            "MiB",
            "64M",
            "-1",
            "1.5GiB",
            "99999999999GiB",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("50_000_000"), Some(50_000_000));
        assert_eq!(parse_count("1"), Some(1));
        for bad in ["0", "", "_", "-5", "1e6", "18446744073709551616"] {
            assert_eq!(parse_count(bad), None, "{bad}");
        }
    }
}
