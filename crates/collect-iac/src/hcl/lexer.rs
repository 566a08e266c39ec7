//! HCL native syntax tokens. Templates (quoted strings and heredocs) are split into literal text,
//! `${…}` interpolations and `%{…}` directives here; the parser parses the inner sources.

use super::HclError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Num(f64),
    /// A quoted string or heredoc, as template parts.
    Template(Vec<TPart>),
    Punct(&'static str),
    Newline,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TPart {
    Lit(String),
    /// Source of a `${…}` interpolation and the line it starts on.
    Interp(String, u32),
    /// Source of a `%{…}` directive (`if x`, `else`, `endif`, `for a in b`, `endfor`).
    Directive(String, u32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
}

// Longest first, so that `==` wins over `=`.
const PUNCT: &[&str] = &[
    "...", "==", "!=", "<=", ">=", "&&", "||", "=>", "{", "}", "[", "]", "(", ")", "=", ",", ".", ":", "?", "!",
    "<", ">", "+", "-", "*", "/", "%",
];

pub fn lex(src: &str, first_line: u32) -> Result<Vec<Token>, HclError> {
    let mut lx = Lexer { s: src.as_bytes(), src, pos: 0, line: first_line, out: Vec::new() };
    lx.run()?;
    Ok(lx.out)
}

struct Lexer<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
    line: u32,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn err(&self, message: impl Into<String>) -> HclError {
        HclError { line: self.line, message: message.into() }
    }

    fn push(&mut self, tok: Tok, line: u32) {
        self.out.push(Token { tok, line });
    }

    fn run(&mut self) -> Result<(), HclError> {
        while self.pos < self.s.len() {
            let c = self.s[self.pos];
            match c {
                b'\n' => {
                    self.push(Tok::Newline, self.line);
                    self.line += 1;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'#' => self.skip_line_comment(),
                b'/' if self.s.get(self.pos + 1) == Some(&b'/') => self.skip_line_comment(),
                b'/' if self.s.get(self.pos + 1) == Some(&b'*') => self.skip_block_comment()?,
                b'"' => self.quoted()?,
                b'<' if self.s.get(self.pos + 1) == Some(&b'<') => self.heredoc()?,
                b'0'..=b'9' => self.number(),
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => self.ident(),
                _ => self.punct()?,
            }
        }
        self.push(Tok::Eof, self.line);
        Ok(())
    }

    fn skip_line_comment(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn skip_block_comment(&mut self) -> Result<(), HclError> {
        let start = self.line;
        self.pos += 2;
        while self.pos + 1 < self.s.len() {
            if self.s[self.pos] == b'*' && self.s[self.pos + 1] == b'/' {
                self.pos += 2;
                return Ok(());
            }
            if self.s[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
        Err(HclError { line: start, message: "unterminated /* comment".into() })
    }

    fn ident(&mut self) {
        let start = self.pos;
        while self.pos < self.s.len() {
            let c = self.s[self.pos];
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c >= 0x80 {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text = self.src.get(start..self.pos).unwrap_or_default().to_string();
        self.push(Tok::Ident(text), self.line);
    }

    fn number(&mut self) {
        let start = self.pos;
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        // A dot followed by a digit is a fraction; `a.0` legacy indexes lex as ident, `.`, number.
        if self.s.get(self.pos) == Some(&b'.') && self.s.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
                self.pos += 1;
            }
        }
        if matches!(self.s.get(self.pos), Some(b'e' | b'E')) {
            let mut p = self.pos + 1;
            if matches!(self.s.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if self.s.get(p).is_some_and(u8::is_ascii_digit) {
                self.pos = p;
                while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
            }
        }
        let text = self.src.get(start..self.pos).unwrap_or("0");
        self.push(Tok::Num(text.parse().unwrap_or(0.0)), self.line);
    }

    fn punct(&mut self) -> Result<(), HclError> {
        let rest = &self.s[self.pos..];
        for p in PUNCT {
            if rest.starts_with(p.as_bytes()) {
                self.pos += p.len();
                self.push(Tok::Punct(p), self.line);
                return Ok(());
            }
        }
        let ch = self.src.get(self.pos..).and_then(|r| r.chars().next()).unwrap_or('?');
        Err(self.err(format!("unexpected character '{ch}'")))
    }

    /// A quoted template: finds its end (skipping nested interpolations), then splits it.
    fn quoted(&mut self) -> Result<(), HclError> {
        let line = self.line;
        self.pos += 1;
        let start = self.pos;
        let end = quoted_end(self.s, start).ok_or_else(|| HclError { line, message: "unterminated string".into() })?;
        let body = self.src.get(start..end).unwrap_or_default();
        self.line += body.matches('\n').count() as u32;
        let parts = template_parts(body, line, true)?;
        self.pos = end + 1;
        self.push(Tok::Template(parts), line);
        Ok(())
    }

    fn heredoc(&mut self) -> Result<(), HclError> {
        let line = self.line;
        let mut p = self.pos + 2;
        let indent = self.s.get(p) == Some(&b'-');
        if indent {
            p += 1;
        }
        let mstart = p;
        while p < self.s.len() && (self.s[p].is_ascii_alphanumeric() || self.s[p] == b'_') {
            p += 1;
        }
        if p == mstart {
            // `<<` not followed by a marker is not a heredoc; `<` then `<`.
            return self.punct();
        }
        let marker = self.src.get(mstart..p).unwrap_or_default().to_string();
        while p < self.s.len() && self.s[p] != b'\n' {
            p += 1;
        }
        p += 1;
        let body_start = p.min(self.s.len());
        let mut lines: Vec<&str> = Vec::new();
        let mut cursor = body_start;
        let mut closed = false;
        while cursor < self.s.len() {
            let eol = self.s[cursor..].iter().position(|&b| b == b'\n').map_or(self.s.len(), |i| cursor + i);
            let text = self.src.get(cursor..eol).unwrap_or_default();
            cursor = eol + 1;
            if text.trim() == marker {
                closed = true;
                break;
            }
            lines.push(text.strip_suffix('\r').unwrap_or(text));
        }
        if !closed {
            return Err(HclError { line, message: format!("heredoc <<{marker} is never closed") });
        }
        if indent {
            let min = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            lines = lines.into_iter().map(|l| l.get(min..).unwrap_or("")).collect();
        }
        let mut body = lines.join("\n");
        if !lines.is_empty() {
            body.push('\n');
        }
        let parts = template_parts(&body, line + 1, false)?;
        self.line += 1 + lines.len() as u32 + 1;
        self.pos = cursor.min(self.s.len());
        self.push(Tok::Template(parts), line);
        // The heredoc consumed its closing line's newline; keep the body terminated.
        self.push(Tok::Newline, self.line - 1);
        Ok(())
    }
}

/// Position of the closing quote of a quoted template whose content starts at `start`.
fn quoted_end(s: &[u8], start: usize) -> Option<usize> {
    let mut p = start;
    while p < s.len() {
        match s[p] {
            b'\\' => p += 2,
            b'"' => return Some(p),
            b'$' | b'%' if s.get(p + 1) == Some(&b'{') => {
                if p > start && s[p - 1] == s[p] {
                    // `$${` and `%%{` are escapes, not interpolations.
                    p += 2;
                    continue;
                }
                p = interp_end(s, p + 2)? + 1;
            }
            b'\n' => return None,
            _ => p += 1,
        }
    }
    None
}

/// Position of the `}` closing an interpolation whose content starts at `start`.
fn interp_end(s: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut p = start;
    while p < s.len() {
        match s[p] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(p),
            b'}' => depth -= 1,
            b'"' => p = quoted_end(s, p + 1)?,
            _ => {}
        }
        p += 1;
    }
    None
}

/// Splits a template body into parts; `escapes` for quoted strings (not heredocs).
pub fn template_parts(body: &str, first_line: u32, escapes: bool) -> Result<Vec<TPart>, HclError> {
    let s = body.as_bytes();
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut line = first_line;
    let mut p = 0;
    while p < s.len() {
        let c = s[p];
        if (c == b'$' || c == b'%') && s.get(p + 1) == Some(&b'{') {
            let end = interp_end(s, p + 2).ok_or(HclError { line, message: "unterminated template interpolation".into() })?;
            if !lit.is_empty() {
                parts.push(TPart::Lit(std::mem::take(&mut lit)));
            }
            let inner = body.get(p + 2..end).unwrap_or_default().to_string();
            let newlines = inner.matches('\n').count() as u32;
            parts.push(if c == b'$' { TPart::Interp(inner, line) } else { TPart::Directive(inner, line) });
            line += newlines;
            p = end + 1;
            continue;
        }
        if (c == b'$' || c == b'%') && s.get(p + 1) == Some(&c) && s.get(p + 2) == Some(&b'{') {
            lit.push(c as char);
            lit.push('{');
            p += 3;
            continue;
        }
        if escapes && c == b'\\' {
            let (ch, used) = unescape(body, p + 1).ok_or(HclError { line, message: "invalid escape sequence".into() })?;
            lit.push(ch);
            p += 1 + used;
            continue;
        }
        if c == b'\n' {
            line += 1;
        }
        // Copy one whole UTF-8 character.
        let ch = body.get(p..).and_then(|r| r.chars().next()).unwrap_or('\u{fffd}');
        lit.push(ch);
        p += ch.len_utf8().max(1);
    }
    if !lit.is_empty() || parts.is_empty() {
        parts.push(TPart::Lit(lit));
    }
    Ok(parts)
}

fn unescape(body: &str, at: usize) -> Option<(char, usize)> {
    let c = *body.as_bytes().get(at)?;
    let simple = match c {
        b'n' => Some('\n'),
        b't' => Some('\t'),
        b'r' => Some('\r'),
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch, 1));
    }
    let digits = match c {
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let hex = body.get(at + 1..at + 1 + digits)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code).unwrap_or('\u{fffd}'), 1 + digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_templates_heredocs_and_comments() {
        let toks = lex("a = \"x${b}y\" # c\nd = <<EOT\nhi ${e}\nEOT\n/* x\n*/ f", 1).unwrap();
        let kinds: Vec<_> = toks.iter().map(|t| (t.line, t.tok.clone())).collect();
        assert_eq!(kinds[2].1, Tok::Template(vec![TPart::Lit("x".into()), TPart::Interp("b".into(), 1), TPart::Lit("y".into())]));
        assert_eq!(kinds[6].1, Tok::Template(vec![TPart::Lit("hi ".into()), TPart::Interp("e".into(), 3), TPart::Lit("\n".into())]));
        let f = toks.iter().find(|t| t.tok == Tok::Ident("f".into())).unwrap();
        assert_eq!(f.line, 6);
    }

    #[test]
    fn escapes_and_nested_quotes() {
        let toks = lex(r#"x = "a\"${format("%s", "}")}\u0041""#, 1).unwrap();
        match &toks[2].tok {
            Tok::Template(p) => {
                assert_eq!(p[0], TPart::Lit("a\"".into()));
                assert_eq!(p[1], TPart::Interp(r#"format("%s", "}")"#.into(), 1));
                assert_eq!(p[2], TPart::Lit("A".into()));
            }
            t => panic!("{t:?}"),
        }
    }
}
