//! A generator of random, well-formed policy texts for the formatter's round-trip test.
//!
//! It writes a policy token by token from a small version of the grammar and puts random
//! whitespace and comments between tokens (never inside one, where the grammar does not allow
//! them), so the texts exercise comment placement everywhere.

/// A xorshift64* generator: deterministic, no dependencies.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Writes random policies token by token; between tokens it puts random whitespace and
/// comments (never inside a token, where the grammar does not allow them).
pub struct Gen {
    /// The source of randomness.
    pub rng: Rng,
    /// How many comments were written so far (numbers them).
    pub comments: usize,
    /// No comments: long lines then break by width alone.
    pub quiet: bool,
}

const NAMES: &[&str] = &[
    "a",
    "b",
    "x",
    "xs",
    "v",
    "release",
    "artifacts",
    "s",
    "d",
    "title",
    "in_",
    "not_x",
    "_z9",
    "a_rather_long_name",
];
const FUNCS: &[&str] = &["f", "len", "all", "any", "count", "contains"];
const INFIX: &[&str] = &[
    "or", "and", "??", "==", "!=", "<=", ">=", "<", ">", "in", "+", "-", "*",
];
const LITERALS: &[&str] = &[
    "0",
    "42",
    "007",
    "7.5",
    "7.50",
    "10.0",
    "48h",
    "7d",
    "3w",
    "1 month",
    "12 months",
    "2\tyears",
    "1 day",
    "2026-01-31",
    "2026-01-31T12:00Z",
    "2026-01-31T12:00:00.5+02:00",
    "true",
    "false",
    "none",
];
const TEXT: &[&str] = &[
    "text",
    " ",
    "\\\"",
    "\\\\",
    "\\{",
    "\\}",
    "}",
    "\\n",
    "\\t",
    "\\u{1F600}",
    "é",
    "//",
    "a b",
];

impl Gen {
    fn sep(&mut self) -> String {
        let n = self.comments;
        let choice = self.rng.below(20);
        match if self.quiet { choice.max(4) } else { choice } {
            0 => {
                self.comments += 1;
                format!(" // c{n}\n")
            }
            1 => {
                self.comments += 1;
                format!("\n// c{n}\n")
            }
            2 => {
                self.comments += 1;
                format!("\n\n/// d{n}\n")
            }
            3 => {
                self.comments += 1;
                "//\n".to_string()
            }
            4 => "\n\n".to_string(),
            5 | 6 => "\n".to_string(),
            7 => "\t".to_string(),
            8 => "   ".to_string(),
            _ => " ".to_string(),
        }
    }

    fn join(&mut self, tokens: Vec<String>) -> String {
        let mut out = String::new();
        for (i, token) in tokens.into_iter().enumerate() {
            if i > 0 {
                let sep = self.sep();
                out.push_str(&sep);
            }
            out.push_str(&token);
        }
        out
    }

    fn string(&mut self, depth: usize, interpolate: bool) -> String {
        let mut out = String::from("\"");
        for _ in 0..self.rng.below(4) {
            if interpolate && depth < 3 && self.rng.chance(30) {
                let mut inner = Vec::new();
                self.expr(&mut inner, depth + 1);
                let inner = self.join(inner);
                out.push('{');
                out.push_str(&inner);
                out.push_str(if self.rng.chance(20) { "\n}" } else { "}" });
            } else {
                out.push_str(self.rng.pick(TEXT));
            }
        }
        out.push('"');
        out
    }

    fn expr(&mut self, t: &mut Vec<String>, depth: usize) {
        let operands = if depth > 2 { 1 } else { 1 + self.rng.below(3) };
        for i in 0..operands {
            if i > 0 {
                let op = if self.rng.chance(10) {
                    "not in"
                } else {
                    self.rng.pick(INFIX)
                };
                t.push(op.to_string());
            }
            while self.rng.chance(15) {
                t.push(self.rng.pick(&["not", "-"]).to_string());
            }
            self.primary(t, depth);
            while depth < 3 && self.rng.chance(20) {
                match self.rng.below(3) {
                    0 => t.extend([".".to_string(), self.rng.pick(NAMES).to_string()]),
                    1 => {
                        t.extend([".".to_string(), self.rng.pick(FUNCS).to_string()]);
                        self.args(t, depth + 1);
                    }
                    _ => {
                        t.push("[".to_string());
                        self.expr(t, depth + 1);
                        t.push("]".to_string());
                    }
                }
            }
        }
    }

    fn args(&mut self, t: &mut Vec<String>, depth: usize) {
        t.push("(".to_string());
        self.list_of(t, depth, |g, t, d| g.expr(t, d));
        t.push(")".to_string());
    }

    fn list_of(
        &mut self,
        t: &mut Vec<String>,
        depth: usize,
        mut elem: impl FnMut(&mut Gen, &mut Vec<String>, usize),
    ) {
        let n = if depth > 2 { 0 } else { self.rng.below(4) };
        for i in 0..n {
            if i > 0 {
                t.push(",".to_string());
            }
            elem(self, t, depth);
        }
        if n > 0 && self.rng.chance(30) {
            t.push(",".to_string());
        }
    }

    fn primary(&mut self, t: &mut Vec<String>, depth: usize) {
        let choice = if depth > 2 {
            self.rng.below(3)
        } else {
            self.rng.below(9)
        };
        match choice {
            0 => t.push(self.rng.pick(NAMES).to_string()),
            1 => t.push(self.rng.pick(LITERALS).to_string()),
            2 => t.push(self.string(depth, true)),
            3 => {
                // A call's `(` follows its name directly.
                t.push(format!("{}(", self.rng.pick(FUNCS)));
                self.list_of(t, depth + 1, |g, t, d| g.expr(t, d));
                t.push(")".to_string());
            }
            4 => {
                t.push("(".to_string());
                self.expr(t, depth + 1);
                t.push(")".to_string());
            }
            5 => {
                t.push("[".to_string());
                self.list_of(t, depth + 1, |g, t, d| g.expr(t, d));
                t.push("]".to_string());
            }
            6 => {
                t.push("{".to_string());
                self.list_of(t, depth + 1, |g, t, d| {
                    let key = if g.rng.chance(30) {
                        g.string(d, false)
                    } else {
                        g.rng.pick(NAMES).to_string()
                    };
                    t.extend([key, ":".to_string()]);
                    g.expr(t, d);
                });
                t.push("}".to_string());
            }
            _ => {
                let kind = self.rng.pick(&["all", "any", "none", "count"]);
                t.extend([
                    kind.to_string(),
                    "(".to_string(),
                    self.rng.pick(NAMES).to_string(),
                    "in".to_string(),
                ]);
                self.expr(t, depth + 1);
                if self.rng.chance(40) {
                    t.push("where".to_string());
                    self.expr(t, depth + 1);
                }
                if self.rng.chance(70) {
                    t.push(":".to_string());
                    self.expr(t, depth + 1);
                }
                t.push(")".to_string());
            }
        }
    }

    fn type_expr(&mut self, t: &mut Vec<String>, depth: usize) {
        t.push(
            self.rng
                .pick(&[
                    "int", "string", "duration", "list", "table", "set", "severity",
                ])
                .to_string(),
        );
        if depth < 2 && self.rng.chance(40) {
            t.push("<".to_string());
            for i in 0..1 + self.rng.below(2) {
                if i > 0 {
                    t.push(",".to_string());
                }
                self.type_expr(t, depth + 1);
            }
            t.push(">".to_string());
        }
        if self.rng.chance(20) {
            t.push("?".to_string());
        }
    }

    fn field(&mut self, t: &mut Vec<String>) {
        t.extend([self.rng.pick(NAMES).to_string(), "=".to_string()]);
        self.expr(t, 0);
    }

    fn with_clause(&mut self, t: &mut Vec<String>) {
        if self.rng.chance(50) {
            t.extend(["with".to_string(), "{".to_string()]);
            for _ in 0..self.rng.below(4) {
                self.field(t);
                if self.rng.chance(50) {
                    t.push(",".to_string());
                }
            }
            t.push("}".to_string());
        }
    }

    fn stmts(&mut self, t: &mut Vec<String>, depth: usize) {
        for _ in 0..self.rng.below(if depth > 2 { 2 } else { 4 }) {
            match self.rng.below(if depth > 2 { 3 } else { 4 }) {
                0 => {
                    t.extend([
                        "let".to_string(),
                        self.rng.pick(NAMES).to_string(),
                        "=".to_string(),
                    ]);
                    self.expr(t, 0);
                }
                1 => {
                    t.push("expect".to_string());
                    self.expr(t, 0);
                    if self.rng.chance(60) {
                        t.push("else".to_string());
                        t.push(self.string(0, true));
                    }
                }
                2 => {
                    t.extend(["manual".to_string(), self.string(0, false)]);
                    if self.rng.chance(50) {
                        t.push("within".to_string());
                        self.expr(t, 2);
                    }
                }
                _ => {
                    t.extend([
                        "for".to_string(),
                        self.rng.pick(NAMES).to_string(),
                        "in".to_string(),
                    ]);
                    self.expr(t, 1);
                    if self.rng.chance(40) {
                        t.push("where".to_string());
                        self.expr(t, 1);
                    }
                    t.push("{".to_string());
                    self.stmts(t, depth + 1);
                    t.push("}".to_string());
                    if self.rng.chance(40) {
                        let outcome = self.rng.pick(&["pass", "fail", "not_applicable"]);
                        t.extend([
                            "when".to_string(),
                            "empty".to_string(),
                            ":".to_string(),
                            outcome.to_string(),
                        ]);
                    }
                }
            }
        }
    }

    /// A random policy text.
    pub fn policy(&mut self) -> String {
        let mut t = Vec::new();
        for _ in 0..self.rng.below(6) {
            match self.rng.below(5) {
                0 => {
                    t.extend(["policy".to_string(), self.string(0, false), "{".to_string()]);
                    for _ in 0..self.rng.below(4) {
                        self.field(&mut t);
                    }
                    t.push("}".to_string());
                }
                1 => {
                    let path = self.rng.pick(&["std.uk_sscop", "std.a.b", "local"]);
                    t.extend(["use".to_string(), path.to_string()]);
                    self.with_clause(&mut t);
                }
                2 => {
                    t.extend(["import".to_string(), self.string(0, false)]);
                    self.with_clause(&mut t);
                }
                3 => {
                    t.extend([
                        "param".to_string(),
                        self.rng.pick(NAMES).to_string(),
                        ":".to_string(),
                    ]);
                    self.type_expr(&mut t, 0);
                    t.push("=".to_string());
                    self.expr(&mut t, 0);
                }
                _ => {
                    t.extend([
                        "control".to_string(),
                        self.string(0, false),
                        "{".to_string(),
                    ]);
                    for _ in 0..self.rng.below(3) {
                        self.field(&mut t);
                    }
                    self.stmts(&mut t, 0);
                    t.push("}".to_string());
                }
            }
        }
        let body = self.join(t);
        let lead = self.sep();
        let tail = self.sep();
        format!("{}{body}{}", lead.trim_start_matches(' '), tail)
    }
}
