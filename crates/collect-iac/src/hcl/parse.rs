//! Recursive-descent parser for HCL bodies and expressions. Newlines end attributes in a body
//! and are ignored inside brackets; nesting is bounded so hostile input cannot overflow the stack.

use super::ast::*;
use super::lexer::{lex, TPart, Tok, Token};
use super::HclError;

const MAX_DEPTH: usize = 200;

pub fn parse_body(src: &str) -> Result<Body, HclError> {
    let toks = lex(src, 1)?;
    let mut p = Parser { toks, pos: 0, brackets: 0, depth: 0 };
    let body = p.body(false)?;
    Ok(body)
}

pub fn parse_expr(src: &str, line: u32) -> Result<Expr, HclError> {
    let toks = lex(src, line)?;
    let mut p = Parser { toks, pos: 0, brackets: 1, depth: 0 };
    let e = p.expr()?;
    p.expect_eof()?;
    Ok(e)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// Inside (), [] or an object's {}: newlines are insignificant.
    brackets: usize,
    depth: usize,
}

impl Parser {
    fn raw(&self) -> &Token {
        // The lexer always ends with Eof; stay on it.
        let i = self.pos.min(self.toks.len().saturating_sub(1));
        &self.toks[i]
    }

    fn skip_nl(&mut self) {
        while self.raw().tok == Tok::Newline {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> &Tok {
        if self.brackets > 0 {
            self.skip_nl();
        }
        &self.raw().tok
    }

    fn line(&mut self) -> u32 {
        if self.brackets > 0 {
            self.skip_nl();
        }
        self.raw().line
    }

    fn bump(&mut self) -> Token {
        let t = self.raw().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn is(&mut self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn err<T>(&mut self, message: impl Into<String>) -> Result<T, HclError> {
        let line = self.line();
        Err(HclError { line, message: message.into() })
    }

    fn expect(&mut self, p: &str) -> Result<(), HclError> {
        if self.eat(p) {
            Ok(())
        } else {
            let found = describe(&self.peek().clone());
            self.err(format!("expected '{p}', found {found}"))
        }
    }

    fn expect_eof(&mut self) -> Result<(), HclError> {
        self.skip_nl();
        match self.peek() {
            Tok::Eof => Ok(()),
            t => {
                let found = describe(&t.clone());
                self.err(format!("unexpected {found} after the expression"))
            }
        }
    }

    fn enter(&mut self) -> Result<(), HclError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("nesting too deep");
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// A body: attributes and blocks until `}` (nested) or the end of input.
    fn body(&mut self, nested: bool) -> Result<Body, HclError> {
        self.enter()?;
        let saved = std::mem::replace(&mut self.brackets, 0);
        let mut body = Body::default();
        loop {
            self.skip_nl();
            let tok = self.raw().clone();
            match tok.tok {
                Tok::Eof if nested => return self.err("missing '}' closing a block"),
                Tok::Eof => break,
                Tok::Punct("}") if nested => break,
                Tok::Ident(name) => {
                    self.pos += 1;
                    self.item(name, tok.line, &mut body)?;
                }
                other => {
                    let found = describe(&other);
                    return self.err(format!("expected an attribute or a block, found {found}"));
                }
            }
        }
        self.brackets = saved;
        self.leave();
        Ok(body)
    }

    fn item(&mut self, name: String, line: u32, body: &mut Body) -> Result<(), HclError> {
        if self.eat("=") {
            let expr = self.expr()?;
            match self.raw().tok {
                Tok::Newline | Tok::Eof | Tok::Punct("}") => {}
                ref t => {
                    let found = describe(&t.clone());
                    return self.err(format!("expected a newline after attribute '{name}', found {found}"));
                }
            }
            body.attrs.push(Attr { name, expr, line });
            return Ok(());
        }
        let mut labels = Vec::new();
        loop {
            match self.raw().tok.clone() {
                Tok::Ident(l) => labels.push(l),
                Tok::Template(parts) => labels.push(literal_text(&parts)),
                Tok::Punct("{") => break,
                t => {
                    let found = describe(&t);
                    return self.err(format!("expected '=' or a block after '{name}', found {found}"));
                }
            }
            self.pos += 1;
        }
        self.pos += 1;
        let inner = self.body(true)?;
        let end_line = self.raw().line;
        self.pos += 1;
        body.blocks.push(Block { kind: name, labels, body: inner, line, end_line });
        Ok(())
    }

    pub fn expr(&mut self) -> Result<Expr, HclError> {
        self.enter()?;
        let cond = self.binary(0)?;
        let out = if self.eat("?") {
            let a = self.expr()?;
            self.expect(":")?;
            let b = self.expr()?;
            Expr::Cond(Box::new(cond), Box::new(a), Box::new(b))
        } else {
            cond
        };
        self.leave();
        Ok(out)
    }

    fn binary(&mut self, level: usize) -> Result<Expr, HclError> {
        const LEVELS: &[&[(&str, BinOp)]] = &[
            &[("||", BinOp::Or)],
            &[("&&", BinOp::And)],
            &[("==", BinOp::Eq), ("!=", BinOp::Ne)],
            &[("<", BinOp::Lt), (">", BinOp::Gt), ("<=", BinOp::Le), (">=", BinOp::Ge)],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Mod)],
        ];
        let Some(ops) = LEVELS.get(level) else { return self.unary() };
        let mut left = self.binary(level + 1)?;
        loop {
            let op = match self.raw_or_peek() {
                Tok::Punct(p) => ops.iter().find(|(s, _)| *s == p).map(|(_, o)| *o),
                _ => None,
            };
            let Some(op) = op else { break };
            self.bump_peeked();
            let right = self.binary(level + 1)?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// The next token for an operator: outside brackets a newline ends the expression.
    fn raw_or_peek(&mut self) -> Tok {
        self.peek().clone()
    }

    fn bump_peeked(&mut self) {
        self.peek();
        self.pos += 1;
    }

    fn unary(&mut self) -> Result<Expr, HclError> {
        self.enter()?;
        let out = if self.eat("!") {
            Expr::Not(Box::new(self.unary()?))
        } else if self.eat("-") {
            Expr::Neg(Box::new(self.unary()?))
        } else {
            self.postfix()?
        };
        self.leave();
        Ok(out)
    }

    fn postfix(&mut self) -> Result<Expr, HclError> {
        let mut e = self.primary()?;
        loop {
            if self.is(".") {
                self.bump_peeked();
                match self.bump().tok {
                    Tok::Ident(name) => e = Expr::GetAttr(Box::new(e), name),
                    Tok::Num(n) => e = Expr::Index(Box::new(e), Box::new(Expr::Num(n))),
                    Tok::Punct("*") => e = self.splat(e)?,
                    t => return self.err(format!("expected an attribute name after '.', found {}", describe(&t))),
                }
            } else if self.is("[") {
                self.bump_peeked();
                self.brackets += 1;
                if self.eat("*") {
                    self.expect("]")?;
                    self.brackets -= 1;
                    e = self.splat(e)?;
                } else {
                    let idx = self.expr()?;
                    self.expect("]")?;
                    self.brackets -= 1;
                    e = Expr::Index(Box::new(e), Box::new(idx));
                }
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn splat(&mut self, src: Expr) -> Result<Expr, HclError> {
        let mut travs = Vec::new();
        loop {
            if self.is(".") {
                self.bump_peeked();
                match self.bump().tok {
                    Tok::Ident(name) => travs.push(Trav::Attr(name)),
                    Tok::Num(n) => travs.push(Trav::Index(Expr::Num(n))),
                    t => return self.err(format!("expected an attribute name after '.', found {}", describe(&t))),
                }
            } else if self.is("[") {
                self.bump_peeked();
                self.brackets += 1;
                let idx = self.expr()?;
                self.expect("]")?;
                self.brackets -= 1;
                travs.push(Trav::Index(idx));
            } else {
                break;
            }
        }
        Ok(Expr::Splat(Box::new(src), travs))
    }

    fn primary(&mut self) -> Result<Expr, HclError> {
        let t = self.peek().clone();
        match t {
            Tok::Num(n) => {
                self.pos += 1;
                Ok(Expr::Num(n))
            }
            Tok::Template(parts) => {
                self.pos += 1;
                Ok(Expr::Template(template(&parts)?))
            }
            Tok::Ident(name) => {
                self.pos += 1;
                match name.as_str() {
                    "true" => return Ok(Expr::Bool(true)),
                    "false" => return Ok(Expr::Bool(false)),
                    "null" => return Ok(Expr::Null),
                    _ => {}
                }
                // A function call's `(` must follow on the same line.
                if matches!(self.raw().tok, Tok::Punct("(")) {
                    self.pos += 1;
                    return self.call(name);
                }
                Ok(Expr::Var(name))
            }
            Tok::Punct("(") => {
                self.pos += 1;
                self.brackets += 1;
                let e = self.expr()?;
                self.expect(")")?;
                self.brackets -= 1;
                Ok(e)
            }
            Tok::Punct("[") => {
                self.pos += 1;
                self.brackets += 1;
                let e = self.tuple()?;
                self.brackets -= 1;
                Ok(e)
            }
            Tok::Punct("{") => {
                self.pos += 1;
                self.brackets += 1;
                let e = self.object()?;
                self.brackets -= 1;
                Ok(e)
            }
            other => self.err(format!("expected an expression, found {}", describe(&other))),
        }
    }

    fn call(&mut self, name: String) -> Result<Expr, HclError> {
        // Provider-namespaced functions (`provider::x::f`) are not supported; treated by name.
        self.brackets += 1;
        let mut args = Vec::new();
        let mut expand = false;
        while !self.is(")") {
            args.push(self.expr()?);
            if self.eat("...") {
                expand = true;
            }
            if !self.eat(",") {
                break;
            }
        }
        self.expect(")")?;
        self.brackets -= 1;
        Ok(Expr::Call(name, args, expand))
    }

    fn tuple(&mut self) -> Result<Expr, HclError> {
        if matches!(self.peek(), Tok::Ident(s) if s == "for") {
            let f = self.for_expr(false)?;
            self.expect("]")?;
            return Ok(f);
        }
        let mut items = Vec::new();
        while !self.is("]") {
            items.push(self.expr()?);
            if !self.eat(",") {
                break;
            }
        }
        self.expect("]")?;
        Ok(Expr::Tuple(items))
    }

    fn object(&mut self) -> Result<Expr, HclError> {
        if matches!(self.peek(), Tok::Ident(s) if s == "for") {
            let f = self.for_expr(true)?;
            self.expect("}")?;
            return Ok(f);
        }
        let mut items = Vec::new();
        while !self.is("}") {
            let line = self.line();
            let key = self.expr()?;
            if !(self.eat("=") || self.eat(":")) {
                return self.err("expected '=' or ':' after an object key");
            }
            let val = self.expr()?;
            // A bare identifier key is a literal name, not a variable.
            let key = match key {
                Expr::Var(n) => Expr::Template(vec![Part::Lit(n)]),
                k => k,
            };
            items.push((key, val, line));
            self.eat(",");
        }
        self.expect("}")?;
        Ok(Expr::Object(items))
    }

    fn ident(&mut self) -> Result<String, HclError> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                self.pos += 1;
                Ok(s)
            }
            t => self.err(format!("expected a name, found {}", describe(&t))),
        }
    }

    fn for_expr(&mut self, object: bool) -> Result<Expr, HclError> {
        self.pos += 1;
        let first = self.ident()?;
        let (key_var, val_var) = if self.eat(",") { (Some(first), self.ident()?) } else { (None, first) };
        match self.peek().clone() {
            Tok::Ident(s) if s == "in" => self.pos += 1,
            t => return self.err(format!("expected 'in', found {}", describe(&t))),
        }
        let coll = self.expr()?;
        self.expect(":")?;
        let first = self.expr()?;
        let (key, val) = if object {
            self.expect("=>")?;
            (Some(first), self.expr()?)
        } else {
            (None, first)
        };
        let group = object && self.eat("...");
        let cond = match self.peek() {
            Tok::Ident(s) if s == "if" => {
                self.pos += 1;
                Some(self.expr()?)
            }
            _ => None,
        };
        Ok(Expr::For(Box::new(ForExpr { key_var, val_var, coll, key, val, cond, group })))
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Template(_) => "a string".into(),
        Tok::Punct(p) => format!("'{p}'"),
        Tok::Newline => "a newline".into(),
        Tok::Eof => "the end of the file".into(),
    }
}

fn literal_text(parts: &[TPart]) -> String {
    parts
        .iter()
        .map(|p| match p {
            TPart::Lit(s) => s.as_str(),
            _ => "",
        })
        .collect()
}

/// Builds the template tree: interpolations parsed, `%{if}`/`%{for}` directives nested.
fn template(parts: &[TPart]) -> Result<Vec<Part>, HclError> {
    let mut it = parts.iter().peekable();
    let (out, end) = template_seq(&mut it, 0)?;
    if let Some((word, line)) = end {
        return Err(HclError { line, message: format!("unexpected %{{{word}}} in a template") });
    }
    Ok(out)
}

type PartIter<'a> = std::iter::Peekable<std::slice::Iter<'a, TPart>>;
/// Parts read, and the closing directive that ended them (word, line).
type Seq = (Vec<Part>, Option<(String, u32)>);

/// Parts until a closing directive (`else`, `endif`, `endfor`), which is returned.
fn template_seq(it: &mut PartIter, depth: usize) -> Result<Seq, HclError> {
    let mut out = Vec::new();
    while let Some(p) = it.next() {
        match p {
            TPart::Lit(s) => out.push(Part::Lit(s.clone())),
            TPart::Interp(src, line) => {
                let src = src.trim_matches('~');
                out.push(Part::Interp(parse_expr(src, *line)?));
            }
            TPart::Directive(src, line) => {
                let src = src.trim().trim_matches('~').trim();
                let word = src.split_whitespace().next().unwrap_or_default();
                match word {
                    "else" | "endif" | "endfor" => return Ok((out, Some((word.to_string(), *line)))),
                    "if" | "for" if depth < MAX_DEPTH => out.push(directive(word, src, *line, it, depth)?),
                    _ => return Err(HclError { line: *line, message: format!("unknown template directive '{src}'") }),
                }
            }
        }
    }
    Ok((out, None))
}

fn directive(word: &str, src: &str, line: u32, it: &mut PartIter, depth: usize) -> Result<Part, HclError> {
    let rest = src.get(word.len()..).unwrap_or_default();
    if word == "if" {
        let cond = parse_expr(rest, line)?;
        let (then, end) = template_seq(it, depth + 1)?;
        let mut otherwise = Vec::new();
        match end.as_ref().map(|(w, _)| w.as_str()) {
            Some("else") => {
                let (e, end2) = template_seq(it, depth + 1)?;
                otherwise = e;
                if end2.as_ref().map(|(w, _)| w.as_str()) != Some("endif") {
                    return Err(HclError { line, message: "%{if} without %{endif}".into() });
                }
            }
            Some("endif") => {}
            _ => return Err(HclError { line, message: "%{if} without %{endif}".into() }),
        }
        return Ok(Part::If(cond, then, otherwise));
    }
    let (vars, coll) = rest.split_once(" in ").ok_or(HclError { line, message: "expected %{for x in y}".into() })?;
    let names: Vec<&str> = vars.split(',').map(str::trim).collect();
    let (key_var, val_var) = match names.as_slice() {
        [v] => (None, v.to_string()),
        [k, v] => (Some(k.to_string()), v.to_string()),
        _ => return Err(HclError { line, message: "expected %{for x in y}".into() }),
    };
    let coll = parse_expr(coll, line)?;
    let (body, end) = template_seq(it, depth + 1)?;
    if end.as_ref().map(|(w, _)| w.as_str()) != Some("endfor") {
        return Err(HclError { line, message: "%{for} without %{endfor}".into() });
    }
    Ok(Part::For { key_var, val_var, coll, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_attributes_and_lines() {
        let src = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  versioning {\n    enabled = true\n  }\n  tags = {\n    a = 1,\n    \"b\" = local.x\n  }\n}\n";
        let body = parse_body(src).unwrap();
        let r = &body.blocks[0];
        assert_eq!((r.kind.as_str(), r.labels.clone(), r.line, r.end_line), ("resource", vec!["aws_s3_bucket".to_string(), "b".into()], 1, 10));
        assert_eq!(r.body.attrs[0].line, 2);
        assert_eq!(r.body.blocks[0].body.attrs[0].line, 4);
        match &r.body.attrs[1].expr {
            Expr::Object(items) => assert_eq!(items.iter().map(|i| i.2).collect::<Vec<_>>(), vec![7, 8]),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn parses_operators_conditionals_for_and_splat() {
        let e = parse_expr("a || b && !c ? [for x in y : x.id if x.on] : z[*].name", 1).unwrap();
        assert!(matches!(e, Expr::Cond(..)));
        let e = parse_expr("{ for k, v in m : k => v... }", 1).unwrap();
        assert!(matches!(e, Expr::For(ref f) if f.group && f.key_var.as_deref() == Some("k")));
        let e = parse_expr("1 + 2 * 3", 1).unwrap();
        assert!(matches!(e, Expr::Bin(BinOp::Add, _, _)));
        assert!(parse_expr("\"%{ if a }x%{ else }y%{ endif }\"", 1).is_ok());
    }

    #[test]
    fn reports_errors_with_lines() {
        let e = parse_body("a = 1\nb = [1,\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        assert!(parse_body("x {\n").is_err());
        let deep = "a = ".to_string() + &"[".repeat(5000);
        assert!(parse_body(&deep).is_err());
    }
}
