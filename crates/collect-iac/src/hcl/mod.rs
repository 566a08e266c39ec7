//! HCL native syntax: lexer, parser (with the line of every attribute and block) and an
//! evaluator that keeps unknown values unknown.

pub mod ast;
pub mod eval;
pub mod funcs;
pub mod lexer;
pub mod parse;
pub mod value;

pub use parse::{parse_body, parse_expr};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct HclError {
    pub line: u32,
    pub message: String,
}
