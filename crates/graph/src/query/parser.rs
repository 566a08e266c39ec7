//! The query syntax:
//!
//! ```text
//! query  := node (hop node)*
//! node   := kind ("[" expr "]")?            kind: `*`, `aws.s3.bucket`, `aws.*`, `*.iam.*`
//! hop    := "-" edges quant? ("[" expr "]")? "->"      outgoing
//!         | "<-" edges quant? ("[" expr "]")? "-"      incoming
//! edges  := "*" | name ("|" name)*
//! quant  := "{" n ("," m)? "}" | "+"                    repeat the hop n..m times (`+` = 1..4)
//! expr   := term (("or") term)* ; term := factor (("and" | ",") factor)*
//! factor := "not" factor | "(" expr ")" | field (op value)?
//! field  := name ("." (name | "string"))*               tags."data-class", attrs.encryption.sse_algorithm
//! op     := = != < <= > >= ~ contains in
//! value  := "string" | number | true | false | null | word | "[" value ("," value)* "]"
//! ```

use super::lexer::{lex, Tok, Token};
use super::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    List(Vec<Lit>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Glob,
    Contains,
    In,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Test { field: Vec<String>, op: Option<(Op, Lit)>, col: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeStep {
    pub kind: String,
    pub cond: Option<Expr>,
    pub col: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Out,
    In,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub dir: Dir,
    /// Edge type names with their columns; empty means any type.
    pub types: Vec<(String, usize)>,
    pub min: u32,
    pub max: u32,
    pub cond: Option<Expr>,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    pub steps: Vec<NodeStep>,
    pub hops: Vec<Hop>,
}

/// The longest repetition a hop may ask for.
pub const MAX_REPEAT: u32 = 6;

struct P {
    toks: Vec<Token>,
    pos: usize,
    end: usize,
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.col)
    }

    fn bump(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.tok.clone());
        self.pos += 1;
        t
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { col: self.col(), message: message.into() })
    }

    fn found(&self) -> String {
        self.peek().map_or("the end of the query".into(), Tok::describe)
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&want) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(format!("expected {what}, found {}", self.found()))
        }
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(x)) if x.eq_ignore_ascii_case(w))
    }
}

/// Parses a query.
pub fn parse(src: &str) -> Result<Ast, ParseError> {
    let toks = lex(src)?;
    let mut p = P { toks, pos: 0, end: src.chars().count() + 1 };
    if p.peek().is_none() {
        return p.err("empty query: start with a kind, e.g. `aws.s3.bucket` or `*`");
    }
    let mut ast = Ast { steps: vec![node(&mut p)?], hops: Vec::new() };
    while let Some(t) = p.peek() {
        let dir = match t {
            Tok::Dash => Dir::Out,
            Tok::BackArrow => Dir::In,
            _ => return p.err(format!("expected a hop (`-edge->` or `<-edge-`) or the end, found {}", p.found())),
        };
        ast.hops.push(hop(&mut p, dir)?);
        ast.steps.push(node(&mut p)?);
    }
    Ok(ast)
}

fn node(p: &mut P) -> Result<NodeStep, ParseError> {
    let col = p.col();
    let mut kind = String::new();
    loop {
        match p.peek() {
            Some(Tok::Star) => kind.push('*'),
            Some(Tok::Ident(w)) => kind.push_str(w),
            _ if kind.is_empty() => {
                return p.err(format!("expected a kind such as `aws.s3.bucket` or `*`, found {}", p.found()))
            }
            _ => return p.err(format!("expected a kind segment after `.`, found {}", p.found())),
        }
        p.pos += 1;
        if p.peek() == Some(&Tok::Dot) {
            p.pos += 1;
            kind.push('.');
        } else {
            break;
        }
    }
    let cond = bracket(p)?;
    Ok(NodeStep { kind, cond, col })
}

fn bracket(p: &mut P) -> Result<Option<Expr>, ParseError> {
    if p.peek() != Some(&Tok::LBrack) {
        return Ok(None);
    }
    p.pos += 1;
    let e = expr(p, 0)?;
    p.expect(Tok::RBrack, "`]` to close the condition")?;
    Ok(Some(e))
}

fn hop(p: &mut P, dir: Dir) -> Result<Hop, ParseError> {
    let col = p.col();
    p.pos += 1;
    let mut types = Vec::new();
    if p.peek() == Some(&Tok::Star) {
        p.pos += 1;
    } else {
        loop {
            let c = p.col();
            match p.bump() {
                Some(Tok::Ident(w)) => types.push((w, c)),
                _ => {
                    p.pos -= 1;
                    return p.err(format!("expected an edge type such as `can_read`, or `*`, found {}", p.found()));
                }
            }
            if p.peek() == Some(&Tok::Pipe) {
                p.pos += 1;
            } else {
                break;
            }
        }
    }
    let (min, max) = quantifier(p)?;
    let cond = bracket(p)?;
    match dir {
        Dir::Out => p.expect(Tok::Arrow, "`->` to end the hop")?,
        Dir::In => p.expect(Tok::Dash, "`-` to end the incoming hop")?,
    }
    Ok(Hop { dir, types, min, max, cond, col })
}

fn quantifier(p: &mut P) -> Result<(u32, u32), ParseError> {
    match p.peek() {
        Some(Tok::Plus) => {
            p.pos += 1;
            Ok((1, 4))
        }
        Some(Tok::LBrace) => {
            p.pos += 1;
            let min = count(p)?;
            let max = if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
                count(p)?
            } else {
                min
            };
            if max < min || max == 0 {
                return p.err(format!("a repetition needs 0 <= min <= max and max >= 1, got {{{min},{max}}}"));
            }
            p.expect(Tok::RBrace, "`}` to close the repetition")?;
            Ok((min, max))
        }
        _ => Ok((1, 1)),
    }
}

fn count(p: &mut P) -> Result<u32, ParseError> {
    match p.peek() {
        Some(Tok::Num(n)) if n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_REPEAT as f64 => {
            let n = *n as u32;
            p.pos += 1;
            Ok(n)
        }
        _ => p.err(format!("expected a repetition count from 0 to {MAX_REPEAT}, found {}", p.found())),
    }
}

/// Precedence climbing: `or` (0) binds looser than `and` (1).
fn expr(p: &mut P, level: u8) -> Result<Expr, ParseError> {
    if level == 0 {
        let mut e = expr(p, 1)?;
        while p.is_word("or") {
            p.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(expr(p, 1)?));
        }
        return Ok(e);
    }
    let mut e = factor(p)?;
    while p.is_word("and") || p.peek() == Some(&Tok::Comma) {
        p.pos += 1;
        e = Expr::And(Box::new(e), Box::new(factor(p)?));
    }
    Ok(e)
}

fn factor(p: &mut P) -> Result<Expr, ParseError> {
    if p.is_word("not") {
        p.pos += 1;
        return Ok(Expr::Not(Box::new(factor(p)?)));
    }
    if p.peek() == Some(&Tok::LParen) {
        p.pos += 1;
        let e = expr(p, 0)?;
        p.expect(Tok::RParen, "`)`")?;
        return Ok(e);
    }
    let col = p.col();
    let field = field(p)?;
    let op = match p.peek() {
        Some(Tok::Op(o)) => Some(match *o {
            "=" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => Op::Glob,
        }),
        Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("contains") => Some(Op::Contains),
        Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("in") => Some(Op::In),
        Some(Tok::Dash) => return p.err("a tag key or attribute with `-` must be quoted, e.g. tags.\"data-class\""),
        _ => None,
    };
    let op = match op {
        Some(o) => {
            p.pos += 1;
            Some((o, value(p)?))
        }
        None => None,
    };
    Ok(Expr::Test { field, op, col })
}

fn field(p: &mut P) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    loop {
        match p.peek() {
            Some(Tok::Ident(w))
                if out.is_empty() && ["and", "or", "not"].contains(&w.to_ascii_lowercase().as_str()) =>
            {
                return p.err(format!("expected a field, found the keyword `{w}`"));
            }
            Some(Tok::Ident(w)) => out.push(w.clone()),
            Some(Tok::Str(s)) if !out.is_empty() => out.push(s.clone()),
            _ if out.is_empty() => {
                return p
                    .err(format!("expected a field such as `exposed_to_internet` or `tags.env`, found {}", p.found()))
            }
            _ => return p.err(format!("expected a name after `.`, found {}", p.found())),
        }
        p.pos += 1;
        if p.peek() == Some(&Tok::Dot) {
            p.pos += 1;
        } else {
            return Ok(out);
        }
    }
}

fn value(p: &mut P) -> Result<Lit, ParseError> {
    let v = match p.peek() {
        Some(Tok::Str(s)) => Lit::Str(s.clone()),
        Some(Tok::Num(n)) => Lit::Num(*n),
        Some(Tok::Ident(w)) => match w.as_str() {
            "true" => Lit::Bool(true),
            "false" => Lit::Bool(false),
            "null" => Lit::Null,
            _ => {
                let w = dotted_word(p);
                if p.peek() == Some(&Tok::Dash) {
                    return p.err(format!("a value with `-` must be quoted, e.g. \"{w}-…\""));
                }
                return Ok(Lit::Str(w));
            }
        },
        Some(Tok::LBrack) => {
            p.pos += 1;
            let mut items = vec![value(p)?];
            while p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
                items.push(value(p)?);
            }
            p.expect(Tok::RBrack, "`]` to close the list")?;
            return Ok(Lit::List(items));
        }
        _ => return p.err(format!("expected a value, found {}", p.found())),
    };
    p.pos += 1;
    Ok(v)
}

/// A bare word value, dots allowed: `high`, `aws.s3.bucket`.
fn dotted_word(p: &mut P) -> String {
    let mut out = String::new();
    while let Some(Tok::Ident(w)) = p.peek() {
        out.push_str(w);
        p.pos += 1;
        if p.peek() == Some(&Tok::Dot) && matches!(p.toks.get(p.pos + 1).map(|t| &t.tok), Some(Tok::Ident(_))) {
            p.pos += 1;
            out.push('.');
        } else {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_hops_conditions_and_repetition() {
        let q = parse(r#"aws.ec2.instance[exposed_to_internet] -can_authenticate_as-> * -can_read|can_write[certainty = certain]-> aws.s3.bucket[tags."data-class" = confidential]"#).unwrap();
        assert_eq!(q.steps.len(), 3);
        assert_eq!(q.steps[0].kind, "aws.ec2.instance");
        assert_eq!(q.hops[1].types.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), vec!["can_read", "can_write"]);
        assert!(q.hops[1].cond.is_some());
        let Some(Expr::Test { field, op: Some((Op::Eq, Lit::Str(v))), .. }) = &q.steps[2].cond else {
            panic!("{:?}", q.steps[2].cond)
        };
        assert_eq!(field, &vec!["tags".to_string(), "data-class".to_string()]);
        assert_eq!(v, "confidential");
        let r = parse("* <-can_assume{1,3}- aws.*").unwrap();
        assert_eq!((r.hops[0].dir, r.hops[0].min, r.hops[0].max), (Dir::In, 1, 3));
        assert_eq!(parse("*[a] -*+-> *").unwrap().hops[0].max, 4);
    }

    #[test]
    fn precedence_not_and_or() {
        let q = parse("*[a or b and not c]").unwrap();
        let Some(Expr::Or(_, rhs)) = &q.steps[0].cond else { panic!() };
        assert!(matches!(&**rhs, Expr::And(_, r) if matches!(**r, Expr::Not(_))));
        let l = parse("*[kind in [aws.s3.bucket, \"x\"], findings.count > 2]").unwrap();
        assert!(matches!(l.steps[0].cond, Some(Expr::And(..))));
    }

    #[test]
    fn errors_point_at_the_column() {
        let e = parse("aws.ec2.instance -can_read aws.s3.bucket").unwrap_err();
        assert_eq!(e.col, 28);
        assert!(e.message.contains("`->`"), "{}", e.message);
        assert_eq!(parse("").unwrap_err().col, 1);
        assert!(parse("*[tags.data-class = x]").unwrap_err().message.contains("quoted"));
        assert_eq!(parse("*[a = ]").unwrap_err().col, 7);
        assert!(parse("* -x{3,1}-> *").is_err());
        assert!(parse("* -x{9}-> *").is_err());
        assert!(parse("*[and]").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in r#"[a-z*.\[\]()<>=!~"'{}|+, 0-9-]{0,60}"#) {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_any_text(s in ".{0,80}") {
            if let Err(e) = parse(&s) {
                prop_assert!(e.col >= 1 && e.col <= s.chars().count() + 1);
            }
        }
    }
}
