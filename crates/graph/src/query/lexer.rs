//! Tokens of the query language, each with its character column (1-based) for errors.

use super::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Star,
    Dot,
    LBrack,
    RBrack,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Pipe,
    Plus,
    /// `-` opening an outgoing hop, or closing an incoming one.
    Dash,
    /// `->`
    Arrow,
    /// `<-`
    BackArrow,
    Op(&'static str),
}

impl Tok {
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Num(n) => format!("{n}"),
            Tok::Star => "`*`".into(),
            Tok::Dot => "`.`".into(),
            Tok::LBrack => "`[`".into(),
            Tok::RBrack => "`]`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Pipe => "`|`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Dash => "`-`".into(),
            Tok::Arrow => "`->`".into(),
            Tok::BackArrow => "`<-`".into(),
            Tok::Op(o) => format!("`{o}`"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// 1-based character column.
    pub col: usize,
}

fn err(col: usize, message: impl Into<String>) -> ParseError {
    ParseError { col, message: message.into() }
}

/// Splits a query into tokens.
pub fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let next = chars.get(i + 1).copied();
        let after_value = prev_is_value(&out);
        let mut push = |tok: Tok, len: usize| {
            out.push(Token { tok, col });
            len
        };
        let len = match c {
            c if c.is_whitespace() => 1,
            '*' => push(Tok::Star, 1),
            '.' => push(Tok::Dot, 1),
            '[' => push(Tok::LBrack, 1),
            ']' => push(Tok::RBrack, 1),
            '(' => push(Tok::LParen, 1),
            ')' => push(Tok::RParen, 1),
            '{' => push(Tok::LBrace, 1),
            '}' => push(Tok::RBrace, 1),
            ',' => push(Tok::Comma, 1),
            '|' => push(Tok::Pipe, 1),
            '+' => push(Tok::Plus, 1),
            '~' => push(Tok::Op("~"), 1),
            '-' if next == Some('>') => push(Tok::Arrow, 2),
            '-' if next.is_some_and(|d| d.is_ascii_digit()) && !after_value => {
                let (n, len) = number(&chars, i)?;
                push(Tok::Num(n), len)
            }
            '-' => push(Tok::Dash, 1),
            '<' if next == Some('-') => push(Tok::BackArrow, 2),
            '<' if next == Some('=') => push(Tok::Op("<="), 2),
            '<' => push(Tok::Op("<"), 1),
            '>' if next == Some('=') => push(Tok::Op(">="), 2),
            '>' => push(Tok::Op(">"), 1),
            '=' if next == Some('=') => push(Tok::Op("="), 2),
            '=' => push(Tok::Op("="), 1),
            '!' if next == Some('=') => push(Tok::Op("!="), 2),
            '"' | '\'' => {
                let (s, len) = string(&chars, i)?;
                push(Tok::Str(s), len)
            }
            c if c.is_ascii_digit() => {
                let (n, len) = number(&chars, i)?;
                push(Tok::Num(n), len)
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                push(Tok::Ident(word), j - i)
            }
            other => return Err(err(col, format!("unexpected character `{other}`"))),
        };
        i += len;
    }
    Ok(out)
}

/// Whether the last token ends a value, so that a following `-` is a hop, not a sign.
fn prev_is_value(out: &[Token]) -> bool {
    matches!(
        out.last().map(|t| &t.tok),
        Some(Tok::Ident(_) | Tok::Num(_) | Tok::Str(_) | Tok::RBrack | Tok::RParen | Tok::Star | Tok::RBrace)
    )
}

fn number(chars: &[char], start: usize) -> Result<(f64, usize), ParseError> {
    let mut j = start;
    if chars.get(j) == Some(&'-') {
        j += 1;
    }
    while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
        j += 1;
    }
    let text: String = chars[start..j].iter().collect();
    text.parse::<f64>().map(|n| (n, j - start)).map_err(|_| err(start + 1, format!("`{text}` is not a number")))
}

fn string(chars: &[char], start: usize) -> Result<(String, usize), ParseError> {
    let quote = chars[start];
    let mut out = String::new();
    let mut j = start + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' if j + 1 < chars.len() => {
                out.push(chars[j + 1]);
                j += 2;
            }
            c if c == quote => return Ok((out, j + 1 - start)),
            c => {
                out.push(c);
                j += 1;
            }
        }
    }
    Err(err(start + 1, "unterminated string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn hops_and_conditions() {
        assert_eq!(
            toks("a.b[x >= 2] -can_read-> *"),
            vec![
                Tok::Ident("a".into()),
                Tok::Dot,
                Tok::Ident("b".into()),
                Tok::LBrack,
                Tok::Ident("x".into()),
                Tok::Op(">="),
                Tok::Num(2.0),
                Tok::RBrack,
                Tok::Dash,
                Tok::Ident("can_read".into()),
                Tok::Arrow,
                Tok::Star
            ]
        );
        assert_eq!(toks("<-x- 'it''s'")[0], Tok::BackArrow);
        assert_eq!(toks("[n = -3]")[3], Tok::Num(-3.0));
        assert_eq!(toks(r#""a\"b""#), vec![Tok::Str("a\"b".into())]);
    }

    #[test]
    fn errors_carry_columns() {
        assert_eq!(lex("abc $").unwrap_err().col, 5);
        assert_eq!(lex("x = \"open").unwrap_err().col, 5);
    }
}
